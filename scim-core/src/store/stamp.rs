//! A `meta` timestamp (`created`, `lastModified`) as the in-memory store keeps it.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The longest timestamp held in place: RFC 3339 in UTC to the nanosecond
/// (`2026-12-03T13:44:25.461931123Z`), as [`timestamp_now`](super::timestamp_now) writes.
const INLINE: usize = 30;

/// A timestamp's text, held in place when it is [`INLINE`] bytes or fewer (as the
/// store's own are): the record, and the parts of each response made of it, carry it
/// without an allocation or a pointer to follow (on a large store, following one is a
/// cache miss per timestamp per read). A longer one is shared.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Stamp {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl Stamp {
    pub(crate) fn new(text: &str) -> Self {
        let mut bytes = [0; INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(place), Ok(len)) => {
                place.copy_from_slice(text.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Shared(Arc::from(text)),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Copied from a `&str` whole: never fails.
            Self::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|text| std::str::from_utf8(text).ok())
                .unwrap_or_default(),
            Self::Shared(text) => text,
        }
    }
}

impl Stamp {
    /// The text's bytes (UTF-8), without checking them again as [`as_str`](Self::as_str)
    /// does: what a response writer copies.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Self::Shared(text) => text.as_bytes(),
        }
    }
}

impl Deref for Stamp {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::{INLINE, Stamp};

    #[test]
    fn short_stamps_are_held_in_place_and_long_ones_shared() {
        let now = crate::store::timestamp_now().unwrap();
        for text in [
            "",
            "2026-12-03T13:44:25Z",
            now.as_str(),
            "2026-12-03T13:44:25.461931123Z",
        ] {
            let stamp = Stamp::new(text);
            assert!(matches!(stamp, Stamp::Inline { .. }), "{text}");
            assert_eq!(&*stamp, text);
            assert_eq!(stamp.as_bytes(), text.as_bytes());
        }
        let long = "2026-12-03T13:44:25.461931123+01:00";
        assert!(long.len() > INLINE);
        let stamp = Stamp::new(long);
        assert!(matches!(stamp, Stamp::Shared(_)));
        assert_eq!(&*stamp, long);
        assert_eq!(stamp.as_bytes(), long.as_bytes());
        assert_eq!(format!("{:?}", Stamp::new("é")), "\"é\"");
    }

    #[test]
    fn a_stamp_is_no_larger_than_two_shared_ones() {
        assert!(size_of::<Stamp>() <= 2 * size_of::<std::sync::Arc<str>>());
    }
}
