//! A resource's shared document, and the body a response once wrote of it.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The attributes of a [`Resource`](super::Resource), shared between the store and the
/// responses it hands them to, with what the engine wrote of them the first time (see
/// [`Written`]). A change always goes through [`attributes_mut`](Self::attributes_mut),
/// which forgets that body; a copy starts without one.
#[derive(Default)]
pub(super) struct Document {
    attributes: Map<String, Value>,
    written: OnceLock<Written>,
    /// Whether the attributes' map is known to hold no spare room (see
    /// [`Resource::is_exact_size`](super::Resource::is_exact_size)); forgotten with any
    /// change, and by a copy.
    exact_size: bool,
}

/// A document's attributes as the engine wrote them into a response, kept so that the
/// next response copies them instead of walking the schema again: the bytes, and the
/// server that wrote them (whose schemas and options they follow). Only a write that
/// depends on nothing else is kept (see the engine's stored-body writer). Kept once: a
/// second server over the same store (one rebuilt on a configuration change) writes
/// afresh the documents the first one kept, until they change.
#[derive(Debug)]
pub(crate) struct Written {
    /// [`ScimServer`](crate::ScimServer)'s number, unique in the process.
    pub(crate) writer: u64,
    /// The attributes written, without the `id` (which the record holds, not the
    /// document): it goes at [`id_at`](Self::id_at).
    pub(crate) bytes: Box<[u8]>,
    pub(crate) id_at: usize,
}

impl Document {
    pub(super) fn new(attributes: Map<String, Value>) -> Self {
        Self {
            attributes,
            written: OnceLock::new(),
            exact_size: false,
        }
    }

    pub(super) fn attributes(&self) -> &Map<String, Value> {
        &self.attributes
    }

    /// The attributes to change: what was written of them no longer holds.
    pub(super) fn attributes_mut(&mut self) -> &mut Map<String, Value> {
        self.written.take();
        self.exact_size = false;
        &mut self.attributes
    }

    pub(super) fn exact_size(&self) -> bool {
        self.exact_size
    }

    pub(super) fn set_exact_size(&mut self, exact: bool) {
        self.exact_size = exact;
    }

    pub(super) fn into_attributes(self) -> Map<String, Value> {
        self.attributes
    }

    pub(super) fn written(&self) -> &OnceLock<Written> {
        &self.written
    }
}

impl Clone for Document {
    /// The attributes only: a copy is made to be changed.
    fn clone(&self) -> Self {
        Self::new(self.attributes.clone())
    }
}

impl PartialEq for Document {
    fn eq(&self, other: &Self) -> bool {
        self.attributes == other.attributes
    }
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.attributes.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn written(document: &Document) -> Option<&[u8]> {
        document.written().get().map(|w| &*w.bytes)
    }

    fn keep(document: &Document, bytes: &[u8]) {
        let _ = document.written().set(Written {
            writer: 1,
            bytes: bytes.into(),
            id_at: 0,
        });
    }

    #[test]
    fn a_change_forgets_what_was_written() {
        let Value::Object(attributes) = json!({"userName": "bjensen"}) else {
            unreachable!()
        };
        let mut document = Document::new(attributes);
        keep(&document, b"\"userName\":\"bjensen\"");
        assert_eq!(written(&document), Some(&b"\"userName\":\"bjensen\""[..]));
        document
            .attributes_mut()
            .insert("userName".into(), json!("babs"));
        assert_eq!(written(&document), None);
    }

    #[test]
    fn a_copy_starts_without_what_was_written_and_equality_ignores_it() {
        let document = Document::new(Map::new());
        keep(&document, b"x");
        let copy = document.clone();
        assert_eq!(written(&copy), None);
        assert_eq!(copy, document);
        assert_eq!(format!("{document:?}"), "{}");
    }
}
