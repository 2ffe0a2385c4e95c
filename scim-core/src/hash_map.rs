//! The hash maps and sets of the engine's own state (stores, indexes, rate-limit
//! buckets, keys): hashed with foldhash, seeded per process. Their keys are short
//! strings (ids, tenant names, key hashes) looked up several times on every request, on
//! which SipHash, the standard library's default, costs a few times as much.

/// A [`std::collections::HashMap`] with the engine's hasher; made with `default()` or
/// `with_capacity_and_hasher`.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A [`std::collections::HashSet`] with the engine's hasher.
pub(crate) type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
