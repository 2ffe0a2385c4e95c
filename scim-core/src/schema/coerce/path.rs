//! Where a value sits in a request body, for error details.

use std::fmt;

/// The path of a value in a body (`emails`, `name.givenName`,
/// `urn:…:enterprise:2.0:User:manager.value`), named only in error details.
///
/// Each level borrows its parent, so descending into a body costs nothing; the text is
/// written when an error is built, and only then.
#[derive(Clone, Copy)]
pub(crate) struct ValuePath<'a> {
    parent: Option<(&'a ValuePath<'a>, char)>,
    name: &'a dyn fmt::Display,
}

impl<'a> ValuePath<'a> {
    /// A path of one segment: an attribute, a schema URN, or a PATCH path as written.
    pub(crate) fn root(name: &'a dyn fmt::Display) -> Self {
        ValuePath { parent: None, name }
    }

    /// `name` under `parent` when there is one (see [`child`](Self::child)), else alone.
    pub(crate) fn under(
        parent: Option<(&'a ValuePath<'a>, char)>,
        name: &'a dyn fmt::Display,
    ) -> Self {
        match parent {
            Some((parent, separator)) => parent.child(separator, name),
            None => Self::root(name),
        }
    }

    /// `self`, then `separator`, then `name`: `.` for a sub-attribute, `:` after a URN.
    pub(crate) fn child(&'a self, separator: char, name: &'a dyn fmt::Display) -> Self {
        ValuePath {
            parent: Some((self, separator)),
            name,
        }
    }
}

impl fmt::Display for ValuePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((parent, separator)) = self.parent {
            write!(f, "{parent}{separator}")?;
        }
        write!(f, "{}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::ValuePath;

    #[test]
    fn a_path_prints_its_segments_with_their_separators() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let root = ValuePath::root(&urn);
        let manager = root.child(':', &"manager");
        let value = manager.child('.', &"value");
        assert_eq!(value.to_string(), format!("{urn}:manager.value"));
        assert_eq!(ValuePath::root(&"emails").to_string(), "emails");
        assert_eq!(ValuePath::under(None, &"emails").to_string(), "emails");
        assert_eq!(
            ValuePath::under(Some((&manager, '.')), &"display").to_string(),
            format!("{urn}:manager.display")
        );
    }
}
