//! What a Bulk request costs against the tenant's rate limit: one per operation.

use std::fmt;

use serde::Deserializer;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The number of entries of the `Operations` array of a Bulk body (its name compared
/// case-insensitively, as the Bulk handler does); `0` when the body has none or is not a
/// JSON object: the handler then refuses it without the count mattering.
pub(crate) fn operations(body: &[u8]) -> usize {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    deserializer.deserialize_map(Message).unwrap_or(0)
}

// The `expecting` texts of the two visitors below never reach anyone: `operations` turns
// every error into 0 and the Bulk handler reports what is wrong with the body itself.
// (A mutant emptying them is equivalent.)
struct Message;

impl<'de> Visitor<'de> for Message {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a BulkRequest object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut count = 0;
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if name.eq_ignore_ascii_case("operations") {
                count = map.next_value::<Operations>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(count)
    }
}

/// The length of a JSON array, its elements skipped unparsed into values.
struct Operations(usize);

impl<'de> serde::Deserialize<'de> for Operations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> Visitor<'de> for Count {
            type Value = usize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of operations")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
                let mut n = 0usize;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n = n.saturating_add(1);
                }
                Ok(n)
            }
        }
        deserializer.deserialize_seq(Count).map(Operations)
    }
}

#[cfg(test)]
mod tests {
    use super::operations;

    #[test]
    fn counts_the_operations_whatever_the_case_of_the_name() {
        assert_eq!(operations(br#"{"Operations":[{},{},{"data":[1,2]}]}"#), 3);
        assert_eq!(operations(br#"{"schemas":[],"operations":[{}]}"#), 1);
        assert_eq!(operations(br#"{"Operations":[]}"#), 0);
        assert_eq!(operations(br#"{"Operations":"x"}"#), 0);
        assert_eq!(operations(b"[1,2,3]"), 0);
        assert_eq!(operations(b"{"), 0);
    }
}
