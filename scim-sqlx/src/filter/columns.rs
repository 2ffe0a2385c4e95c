//! [`Columns`]: a [`ColumnMap`] written as a table of attribute paths.

use super::{AttrRef, Column, ColumnMap, Repr};

/// A [`ColumnMap`] written as a table: attribute paths to the columns that hold them.
/// A path is `attribute` or `attribute.subAttribute`, compared ignoring case, in the
/// core schema or the common attributes (`id`, `externalId`, `meta.created`), or
/// URN-qualified for an extension (`urn:…:enterprise:2.0:User:employeeNumber`). What
/// the table leaves out the translation marks inexact, for the evaluator to check.
///
/// ```
/// use scim_core::{Filter, SchemaRegistry};
/// use scim_sqlx::filter::{translate, Column, Columns, Dialect, Repr};
/// let users = Columns::new()
///     .scalar("userName", "u.email_folded", Repr::FoldedText)
///     .scalar("name.givenName", "u.first_name", Repr::Text)
///     .column("groups.value", Column::rows("team_members m", "m.user_id = u.id", "m.team_id", Repr::Text));
/// let registry = SchemaRegistry::with_builtins();
/// let rt = registry.resource_type("User").unwrap();
/// let filter: Filter = r#"username eq "Ann" and groups.value eq "t1""#.parse().unwrap();
/// let t = translate(&filter, rt, &users, Dialect::Postgres, 1);
/// assert!(t.exact);
/// assert_eq!(t.sql, "(u.email_folded = $1 AND EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.team_id = $2))");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Columns {
    entries: Vec<(Path, Column)>,
}

/// A parsed path: extension URN, attribute, sub-attribute.
#[derive(Debug, Clone)]
struct Path {
    extension: Option<String>,
    attribute: String,
    sub_attribute: Option<String>,
}

impl Path {
    fn parse(path: &str) -> Self {
        let (extension, rest) = match path.rfind(':') {
            Some(i) => (
                path.get(..i).map(str::to_owned),
                path.get(i + 1..).unwrap_or_default(),
            ),
            None => (None, path),
        };
        let (attribute, sub_attribute) = match rest.split_once('.') {
            Some((a, s)) => (a, Some(s.to_owned())),
            None => (rest, None),
        };
        Self {
            extension,
            attribute: attribute.to_owned(),
            sub_attribute,
        }
    }

    fn matches(&self, attr: &AttrRef<'_>) -> bool {
        let same = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        let (attribute, sub_attribute) = attr.names();
        same(self.extension.as_deref(), attr.extension)
            && self.attribute.eq_ignore_ascii_case(attribute)
            && same(self.sub_attribute.as_deref(), sub_attribute)
    }
}

impl Columns {
    /// An empty table: every filter left to the evaluator.
    ///
    /// ```
    /// use scim_sqlx::filter::Columns;
    /// # drop(Columns::new());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// `path` is held by `column`.
    ///
    /// ```
    /// use scim_sqlx::filter::{Column, Columns, Repr};
    /// let map = Columns::new().column("emails.value", Column::rows("emails e", "e.user_id = u.id", "e.address", Repr::Text));
    /// # drop(map);
    /// ```
    #[must_use]
    pub fn column(mut self, path: &str, column: Column) -> Self {
        self.entries.push((Path::parse(path), column));
        self
    }

    /// `path` is held by `sql`, a column of the filtered table, in the form `repr`.
    ///
    /// ```
    /// use scim_sqlx::filter::{Columns, Repr};
    /// let map = Columns::new().scalar("active", "u.is_active", Repr::Bool);
    /// # drop(map);
    /// ```
    #[must_use]
    pub fn scalar(self, path: &str, sql: &str, repr: Repr) -> Self {
        self.column(path, Column::scalar(sql, repr))
    }

    /// `path` is held by rows of another table correlated by `on`: the values of a
    /// multi-valued attribute, or a membership table
    /// ([`Column::rows`]`(from, on, value, repr)`).
    ///
    /// ```
    /// use scim_sqlx::filter::{Columns, Repr};
    /// let map = Columns::new().rows("groups.value", "team_members m", "m.user_id = u.id", "m.team_id", Repr::Text);
    /// # drop(map);
    /// ```
    #[must_use]
    pub fn rows(self, path: &str, from: &str, on: &str, value: &str, repr: Repr) -> Self {
        self.column(path, Column::rows(from, on, value, repr))
    }
}

impl ColumnMap for Columns {
    fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
        let found = self.entries.iter().find(|(path, _)| path.matches(attr));
        found.map(|(_, column)| column.clone())
    }
}

#[cfg(test)]
mod tests {
    use scim_core::{Filter, SchemaRegistry};

    use super::*;
    use crate::filter::{Dialect, translate};

    fn sql(map: &Columns, filter: &str) -> (String, bool) {
        let registry = SchemaRegistry::with_builtins();
        let rt = registry.resource_type("User").unwrap();
        let filter: Filter = filter.parse().unwrap();
        let t = translate(&filter, rt, map, Dialect::Sqlite, 1);
        (t.sql, t.exact)
    }

    #[test]
    fn paths_match_by_attribute_sub_attribute_and_extension() {
        let map = Columns::new()
            .scalar("name.givenName", "u.first", Repr::Text)
            .scalar(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                "u.emp",
                Repr::Text,
            );
        assert!(sql(&map, r#"NAME.GIVENNAME eq "a""#).0.contains("u.first"));
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert!(
            sql(&map, &format!(r#"{urn}:employeeNumber eq "7""#))
                .0
                .contains("u.emp")
        );
        // Another sub-attribute, or an unmapped attribute, is left to the evaluator.
        assert_eq!(
            sql(&map, r#"name.familyName eq "a""#),
            ("TRUE".into(), false)
        );
        assert_eq!(sql(&map, r#"title eq "a""#), ("TRUE".into(), false));
    }
}
