import type { Merchant } from './merchants.ts'
import { ATM_OPERATORS, ATM_OPERATORS_EU } from './merchants.ts'
import type { Rng } from './prng.ts'
import { type Profile, usualStore } from './profile.ts'

/**
 * A merchant's statement descriptor with its placeholders filled: the customer's usual store number most of the
 * time (people shop at the same Tesco), the customer's city, a fresh reference per payment.
 */
export function describe (merchant: Merchant, profile: Profile, rng: Rng, region: 'uk' | 'eu', city = profile.city): string {
  return merchant.descriptor.replace(/\{(n3|n4|n5|city|ref|operator)\}/g, (_, field: string) => {
    switch (field) {
      case 'n3': return rng.chance(0.85) ? usualStore(profile, merchant.key, 3) : rng.digits(3)
      case 'n4': return rng.chance(0.85) ? usualStore(profile, merchant.key, 4) : rng.digits(4)
      case 'n5': return rng.chance(0.85) ? usualStore(profile, merchant.key, 5) : rng.digits(5)
      case 'city': return city
      case 'ref': return rng.alnum(6)
      default: return rng.pick(region === 'uk' ? ATM_OPERATORS : ATM_OPERATORS_EU)
    }
  })
}
