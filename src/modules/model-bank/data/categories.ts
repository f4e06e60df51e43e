/**
 * Transaction categories in the Data API v3 style: `category_code` "C_<2 letters>_<2 digits>" and `category_name`
 * "<group> - <sub-category>".
 *
 * Only one pair is published: C_BL_00 / "Bills - Generic" (the v3 OpenAPI TransactionCategory example). The rest
 * of this table is INFERRED, not read anywhere: the groups and sub-categories are the Data v1
 * `transaction_classification` table (19 top levels, 94 sub-levels) as collected in shared/data/categories.json
 * (`v1_classifications`, sources: github cmbuckley/finance src/lib/categories.js and dmontag23/bank-app, which cite
 * docs.truelayer.com/docs/transaction-data-reference). Each top level gets a two-letter group code (BL for
 * "Bills and Utilities", as published) and a short group name ("Bills", as published); index 00 is "Generic" and
 * the sub-levels are numbered 01, 02, … in the v1 table's order.
 */
export interface Category {
  category_code: string
  category_name: string
}

interface Group {
  /** The v1 top-level classification. */
  v1: string
  code: string
  name: string
  subs: readonly string[]
}

const GROUPS: readonly Group[] = [
  { v1: 'Auto & Transport', code: 'TR', name: 'Transport', subs: ['Auto Insurance', 'Auto Payment', 'Parking', 'Public transport', 'Service & Auto Parts', 'Taxi', 'Gas & Fuel'] },
  { v1: 'Bills and Utilities', code: 'BL', name: 'Bills', subs: ['Television', 'Home Phone', 'Internet', 'Mobile Phone', 'Utilities'] },
  { v1: 'Business Services', code: 'BS', name: 'Business Services', subs: ['Advertising', 'Financial Services', 'Office Supplies', 'Printing', 'Shipping', 'Legal'] },
  { v1: 'Education', code: 'ED', name: 'Education', subs: ['Tuition', 'Student Loan', 'Books & Supplies'] },
  { v1: 'Entertainment', code: 'EN', name: 'Entertainment', subs: ['Arts', 'Music', 'Dating', 'Movies & DVDs', 'Newspaper & Magazines', 'Social Club', 'Sport', 'Games'] },
  { v1: 'Fees & Charges', code: 'FC', name: 'Fees & Charges', subs: ['Service Fee', 'Late Fee', 'Finance Charge', 'ATM Fee', 'Bank Fee', 'Commissions'] },
  { v1: 'Food & Dining', code: 'FD', name: 'Food & Dining', subs: ['Catering', 'Coffee shops', 'Delivery', 'Fast Food', 'Restaurants', 'Bars'] },
  { v1: 'Gambling', code: 'GM', name: 'Gambling', subs: ['Betting', 'Lottery', 'Casino'] },
  { v1: 'Gifts & Donations', code: 'GD', name: 'Gifts & Donations', subs: ['Gift', 'Charity'] },
  { v1: 'Health & Fitness', code: 'HF', name: 'Health & Fitness', subs: ['Dentist', 'Doctor', 'Eye care', 'Pharmacy', 'Gym', 'Pets', 'Sports'] },
  { v1: 'Home', code: 'HM', name: 'Home', subs: ['Rent', 'Mortgage', 'Secured loans'] },
  { v1: 'Investments', code: 'IV', name: 'Investments', subs: ['Equities', 'Bonds', 'Bank products', 'Retirement', 'Annuities', 'Real-estate'] },
  { v1: 'Pensions and insurances', code: 'PI', name: 'Pensions & Insurances', subs: ['Pension payments', 'Life insurance', 'Buildings and contents insurance', 'Health insurance'] },
  { v1: 'Personal Care', code: 'PC', name: 'Personal Care', subs: ['Hair', 'Laundry', 'Beauty', 'Spa & Massage'] },
  { v1: 'Personal Services', code: 'PS', name: 'Personal Services', subs: ['Advisory and Consulting', 'Financial Services', 'Lawyer', 'Repairs & Maintenance'] },
  { v1: 'Shopping', code: 'SH', name: 'Shopping', subs: ['Pets', 'Groceries', 'General', 'Clothing', 'Home', 'Books', 'Electronics & Software', 'Hobbies', 'Sporting Goods'] },
  { v1: 'Taxes', code: 'TX', name: 'Taxes', subs: ['Federal Tax', 'State Tax', 'Local Tax', 'Sales Tax', 'Property Tax'] },
  { v1: 'Travel', code: 'TV', name: 'Travel', subs: ['Air Travel', 'Hotel', 'Rental Car & Taxi', 'Vacation'] },
  { v1: 'Uncategorized', code: 'UN', name: 'Uncategorized', subs: ['Cash & ATM', 'Check'] },
]

/** Every code this bank can emit, in table order (for tests and documentation). */
export const CATEGORY_TABLE: readonly Category[] = GROUPS.flatMap((g) => [
  { category_code: `C_${g.code}_00`, category_name: `${g.name} - Generic` },
  ...g.subs.map((sub, i) => ({ category_code: `C_${g.code}_${String(i + 1).padStart(2, '0')}`, category_name: `${g.name} - ${sub}` })),
])

/** The v1 table the codes were derived from, for a test that compares it with the shared data file. */
export const V1_CLASSIFICATIONS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(GROUPS.map((g) => [g.v1, g.subs]))

const BY_NAME = new Map(CATEGORY_TABLE.map((c) => [c.category_name, c]))

/** Looks a category up by group and sub-category, e.g. category('Shopping', 'Groceries'); throws on a typo. */
export function category (group: string, sub = 'Generic'): Category {
  const g = GROUPS.find((x) => x.name === group || x.v1 === group)
  const found = g && BY_NAME.get(`${g.name} - ${sub}`)
  if (!found) throw new Error(`no category ${group} / ${sub}`)
  return found
}
