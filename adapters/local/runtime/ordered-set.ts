/** A place in the set, for walking it without an iterator object (the queue's pump walks it per delivery). */
export interface Entry<T> {
  readonly value: T;
}

interface Node<T> extends Entry<T> {
  prev: Node<T> | undefined;
  next: Node<T> | undefined;
}

/**
 * Values in the order they were added, with O(1) add, delete and lookup: the waiting messages
 * of a local queue channel, which leave from anywhere (a handled message, a dead letter) while
 * the rest keep their order. An array's splice made draining a backlog quadratic.
 *
 * Iteration tolerates deleting the value it is at, and any before it: the walk has already
 * taken the next entry. A deleted node lets go of its neighbours at once: a dead node that
 * still pointed at the next one would keep it (and so the whole chain) alive through every
 * minor GC, and draining a backlog would promote every message to the old generation.
 */
export class OrderedSet<T> implements Iterable<T> {
  readonly #nodes = new Map<T, Node<T>>();
  #first: Node<T> | undefined;
  #last: Node<T> | undefined;

  get size(): number {
    return this.#nodes.size;
  }

  has(value: T): boolean {
    return this.#nodes.has(value);
  }

  /** Appends `value`; a value already present keeps its place. */
  add(value: T): void {
    if (this.#nodes.has(value)) return;
    const node: Node<T> = { value, prev: this.#last, next: undefined };
    if (this.#last) this.#last.next = node;
    else this.#first = node;
    this.#last = node;
    this.#nodes.set(value, node);
  }

  /** Removes `value`; false when it was not there. */
  delete(value: T): boolean {
    const node = this.#nodes.get(value);
    if (!node) return false;
    this.#nodes.delete(value);
    if (node.prev) node.prev.next = node.next;
    else this.#first = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#last = node.prev;
    node.prev = undefined;
    node.next = undefined;
    return true;
  }

  /** The first entry, or undefined when empty. */
  first(): Entry<T> | undefined {
    return this.#first;
  }

  /** The entry after `entry`; take it before `entry` may be deleted. */
  after(entry: Entry<T>): Entry<T> | undefined {
    return (entry as Node<T>).next;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let node = this.#first; node;) {
      const next = node.next;
      yield node.value;
      node = next;
    }
  }
}
