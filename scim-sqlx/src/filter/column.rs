//! The mapping a [`translate`](super::translate) caller provides: where each attribute's
//! values live and in what form.

use scim_core::schema::Attribute;

/// An attribute path resolved against the schema: canonical names, with the
/// characteristics (`type`, `caseExact`, `multiValued`) the translation follows.
///
/// ```
/// use scim_core::SchemaRegistry;
/// use scim_sqlx::filter::AttrRef;
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let emails = users.schema.attribute_named("emails").unwrap();
/// let path = AttrRef { extension: None, attribute: emails, sub_attribute: emails.sub_attribute("value") };
/// assert_eq!(path.target().name, "value");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AttrRef<'a> {
    /// The extension schema URN holding the attribute; `None` for the core schema
    /// and the common attributes (`id`, `externalId`, `meta`).
    pub extension: Option<&'a str>,
    /// The top-level attribute.
    pub attribute: &'a Attribute,
    /// The sub-attribute, when the path names one.
    pub sub_attribute: Option<&'a Attribute>,
}

impl<'a> AttrRef<'a> {
    /// The attribute the path ends at.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// # use scim_sqlx::filter::AttrRef;
    /// let registry = SchemaRegistry::with_builtins();
    /// let title = registry.resource_type("User").unwrap().schema.attribute_named("title").unwrap();
    /// let path = AttrRef { extension: None, attribute: title, sub_attribute: None };
    /// assert_eq!(path.target().name, "title");
    /// ```
    pub fn target(&self) -> &'a Attribute {
        self.sub_attribute.unwrap_or(self.attribute)
    }

    /// The top-level and sub-attribute names (`("emails", Some("value"))`): handy to
    /// `match` on in a [`ColumnMap`].
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// # use scim_sqlx::filter::AttrRef;
    /// let registry = SchemaRegistry::with_builtins();
    /// let name = registry.resource_type("User").unwrap().schema.attribute_named("name").unwrap();
    /// let path = AttrRef { extension: None, attribute: name, sub_attribute: name.sub_attribute("familyName") };
    /// assert_eq!(path.names(), ("name", Some("familyName")));
    /// ```
    pub fn names(&self) -> (&'a str, Option<&'a str>) {
        (
            self.attribute.name.as_str(),
            self.sub_attribute.map(|s| s.name.as_str()),
        )
    }
}

/// How a column holds an attribute's values, which decides how they compare.
///
/// ```
/// use scim_sqlx::filter::Repr;
/// assert_ne!(Repr::FoldedText, Repr::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Repr {
    /// Text, folded with [`scim_core::filter::fold_case`] when the attribute is not
    /// `caseExact` (as is, when it is). Exact: the filter value is folded the same way.
    FoldedText,
    /// Text as the client sent it. A `caseExact` attribute compares exactly; any other
    /// compares `lower(column)` with `lower(value)` in SQL, which agrees with
    /// [`scim_core::filter::fold_case`] on ASCII only (SQLite's `lower` folds ASCII
    /// only; `Straße` folds to `strasse`): rows whose value is not ASCII are then kept
    /// for the evaluator (the translation is inexact), and a non-ASCII filter value is
    /// not translated. Prefer [`FoldedText`](Self::FoldedText) for what clients filter on.
    Text,
    /// Text that is always ASCII (an enumeration such as a member's `type`): like
    /// [`Text`](Self::Text), but `lower()` is exact on it.
    AsciiText,
    /// An instant as [`normalize_instant`](super::normalize_instant) writes it (UTC,
    /// nine fraction digits): text order is time order. `co`/`sw`/`ew` and filter
    /// values that are not RFC 3339 instants are left to the evaluator.
    Instant,
    /// A number (`NUMERIC`, `INTEGER`, `REAL`...).
    Number,
    /// A boolean (`BOOLEAN` on PostgreSQL, `0`/`1` on SQLite).
    Bool,
}

/// Where the values of one attribute path are.
///
/// ```
/// use scim_sqlx::filter::Values;
/// let v = Values::Scalar("u.email".into());
/// assert!(matches!(v, Values::Scalar(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Values {
    /// One value per row of the filtered table: a SQL expression, `NULL` when the
    /// attribute has no value.
    Scalar(String),
    /// Any number of values: the rows of `from` (a table, a join, a set-returning
    /// function, with an alias) that satisfy `on` (the correlation with the filtered
    /// row), each value in `value`. A comparison matches when some row's value does.
    Rows {
        /// `FROM` items, e.g. `user_emails e`.
        from: String,
        /// The correlation, e.g. `e.user_id = u.id`; empty for none.
        on: String,
        /// The value expression, e.g. `e.address`; `NULL` where the row has no value.
        value: String,
    },
}

/// A column: where the values are and how they are held.
///
/// ```
/// use scim_sqlx::filter::{Column, Repr};
/// let c = Column::scalar("u.created_at", Repr::Instant);
/// assert_eq!(c.repr, Repr::Instant);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// Where the values are.
    pub values: Values,
    /// How they are held.
    pub repr: Repr,
}

impl Column {
    /// A column of the filtered table (one value per row).
    ///
    /// ```
    /// # use scim_sqlx::filter::{Column, Repr, Values};
    /// assert_eq!(Column::scalar("u.email", Repr::Text).values, Values::Scalar("u.email".into()));
    /// ```
    pub fn scalar(sql: impl Into<String>, repr: Repr) -> Self {
        Self {
            values: Values::Scalar(sql.into()),
            repr,
        }
    }

    /// Values in rows of another table (or a JSON array), correlated by `on`.
    ///
    /// ```
    /// # use scim_sqlx::filter::{Column, Repr};
    /// let c = Column::rows("user_emails e", "e.user_id = u.id", "e.address", Repr::Text);
    /// # drop(c);
    /// ```
    pub fn rows(
        from: impl Into<String>,
        on: impl Into<String>,
        value: impl Into<String>,
        repr: Repr,
    ) -> Self {
        Self {
            values: Values::Rows {
                from: from.into(),
                on: on.into(),
                value: value.into(),
            },
            repr,
        }
    }
}

/// The element rows of a multi-valued complex attribute, for value paths
/// (`emails[type eq "work" and value co "@example.com"]`): the inner filter is
/// written against [`ColumnMap::element_column`] inside one `EXISTS` over these rows,
/// so every condition holds on the same element.
///
/// ```
/// use scim_sqlx::filter::Elements;
/// let e = Elements::new("user_emails e", "e.user_id = u.id");
/// assert_eq!(e.from, "user_emails e");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Elements {
    /// `FROM` items with an alias.
    pub from: String,
    /// The correlation with the filtered row; empty for none.
    pub on: String,
    /// Whether every element row holds some value (a membership row always has its
    /// member id), so that `attr pr` is the existence of a row. When `false`, `pr`
    /// looks for a present sub-attribute through [`ColumnMap::element_column`].
    pub never_empty: bool,
}

impl Elements {
    /// Element rows from `from` correlated by `on`.
    ///
    /// ```
    /// # use scim_sqlx::filter::Elements;
    /// assert_eq!(Elements::new("t e", "").on, "");
    /// ```
    pub fn new(from: impl Into<String>, on: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            on: on.into(),
            never_empty: false,
        }
    }

    /// The same rows, declared never empty (see [`Elements::never_empty`]).
    ///
    /// ```
    /// # use scim_sqlx::filter::Elements;
    /// assert!(Elements::new("user_emails e", "e.user_id = u.id").never_empty().never_empty);
    /// ```
    #[must_use]
    pub fn never_empty(mut self) -> Self {
        self.never_empty = true;
        self
    }

    /// `EXISTS (SELECT 1 FROM from WHERE on AND condition)`.
    pub(crate) fn exists(&self, condition: Option<&str>) -> String {
        exists(&self.from, &self.on, condition)
    }
}

/// `EXISTS (SELECT 1 FROM from [WHERE ...])` with the non-empty conditions.
pub(crate) fn exists(from: &str, on: &str, condition: Option<&str>) -> String {
    let conditions: Vec<&str> = [Some(on), condition]
        .into_iter()
        .flatten()
        .filter(|c| !c.is_empty())
        .collect();
    if conditions.is_empty() {
        format!("EXISTS (SELECT 1 FROM {from})")
    } else {
        format!(
            "EXISTS (SELECT 1 FROM {from} WHERE {})",
            conditions.join(" AND ")
        )
    }
}

/// The map from attribute paths to SQL a translation reads. SQL here is trusted
/// text written by the host (column names, joins), never client input: the
/// translator binds every filter value.
///
/// Return `None` for what the table does not hold or the map cannot express: the
/// translation is then marked inexact and the caller checks rows in Rust.
///
/// ```
/// use scim_sqlx::filter::{AttrRef, Column, ColumnMap, Repr};
/// struct Users;
/// impl ColumnMap for Users {
///     fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
///         match attr.names() {
///             ("userName", None) => Some(Column::scalar("u.user_name_folded", Repr::FoldedText)),
///             ("name", Some("givenName")) => Some(Column::scalar("u.first_name", Repr::Text)),
///             _ => None,
///         }
///     }
/// }
/// # let _ = Users;
/// ```
pub trait ColumnMap {
    /// The values of a simple attribute or of a sub-attribute (`name.givenName`,
    /// `emails.value`: for a multi-valued parent, [`Values::Rows`] of all elements).
    fn column(&self, attr: &AttrRef<'_>) -> Option<Column>;

    /// The element rows of a complex attribute, for value paths and `pr`. Without
    /// them a value path on a singular complex attribute reads its sub-attributes
    /// through [`column`](Self::column); on a multi-valued one it is left to the
    /// evaluator.
    fn elements(&self, attr: &AttrRef<'_>) -> Option<Elements> {
        let _ = attr;
        None
    }

    /// A sub-attribute of the current element of [`elements`](Self::elements)`(parent)`.
    fn element_column(&self, parent: &AttrRef<'_>, sub: &Attribute) -> Option<Column> {
        let _ = (parent, sub);
        None
    }
}
