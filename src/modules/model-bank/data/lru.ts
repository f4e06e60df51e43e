/** A small bounded cache; Map keeps insertion order, so the first key is the least recently used. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()

  constructor (private readonly capacity: number) {}

  get (key: K): V | undefined {
    const value = this.map.get(key)
    if (value !== undefined) {
      this.map.delete(key)
      this.map.set(key, value)
    }
    return value
  }

  set (key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K)
  }

  getOrCreate (key: K, create: () => V): V {
    const hit = this.get(key)
    if (hit !== undefined) return hit
    const value = create()
    this.set(key, value)
    return value
  }

  get size (): number {
    return this.map.size
  }
}
