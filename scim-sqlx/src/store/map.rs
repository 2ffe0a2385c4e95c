//! The document store's [`ColumnMap`]: indexed columns for the attributes clients
//! query most, the membership table for `members` and `groups`, and the search
//! projection (see `search.rs`) for everything else.

use scim_core::ResourceType;
use scim_core::schema::{Attribute, AttributeType};

use super::read::Kind;
use crate::filter::{AttrRef, Column, ColumnMap, Dialect, Elements, Repr};
use crate::search::key;

/// The map for one resource type, as the alias `r` of `scim_resources`.
pub(crate) struct DocumentMap {
    pub(crate) dialect: Dialect,
    pub(crate) kind: Kind,
}

impl DocumentMap {
    pub(crate) fn new(dialect: Dialect, rt: &ResourceType) -> Self {
        Self {
            dialect,
            kind: Kind::of(rt),
        }
    }

    /// An indexed column of `scim_resources`, if the attribute has one.
    fn indexed(&self, attr: &AttrRef<'_>) -> Option<Column> {
        if attr.extension.is_some() {
            return None;
        }
        let text = |a: &Attribute| a.kind == AttributeType::String;
        let folded = |a: &Attribute| text(a) && !a.case_exact;
        let column = match attr.names() {
            ("id", None) => Column::scalar("r.id", Repr::FoldedText),
            ("externalId", None) if attr.attribute.case_exact => {
                Column::scalar("r.external_id", Repr::FoldedText)
            }
            ("userName", None) if folded(attr.attribute) => {
                Column::scalar("r.user_name", Repr::FoldedText)
            }
            ("displayName", None) if folded(attr.attribute) => {
                Column::scalar("r.display_name", Repr::FoldedText)
            }
            ("meta", Some("lastModified")) => Column::scalar("r.last_modified", Repr::Instant),
            ("meta", Some("created")) => Column::scalar("r.created", Repr::Instant),
            ("meta", Some("resourceType")) => Column::scalar("r.resource_type", Repr::FoldedText),
            _ => return None,
        };
        Some(column)
    }

    /// The membership table, for a Group's `members` and a User's `groups`.
    fn membership(&self, attr: &AttrRef<'_>) -> Option<Membership> {
        match (self.kind, attr.extension, attr.attribute.name.as_str()) {
            (Kind::Group, None, "members") => Some(Membership::Members),
            (Kind::User, None, "groups") => Some(Membership::Groups),
            _ => None,
        }
    }

    /// `JSON key` as a SQL literal, for names that are safe to write: schema names
    /// (`ATTRNAME` of RFC 7643 §2.1 and URNs). Anything else is left to the evaluator.
    fn literal(name: &str) -> Option<&str> {
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-' | '$'))
            .then_some(name)
    }

    /// The array of a top-level attribute as `FROM` items aliased `alias`.
    fn array(&self, source: &str, key: &str, alias: &str) -> String {
        match self.dialect {
            Dialect::Postgres => format!("jsonb_array_elements({source} -> '{key}') AS {alias}(j)"),
            Dialect::Sqlite => format!("json_each({source}, '$.\"{key}\"') AS {alias}"),
        }
    }

    /// The JSON value of a `FROM` item.
    fn item(&self, alias: &str) -> String {
        match self.dialect {
            Dialect::Postgres => format!("{alias}.j"),
            Dialect::Sqlite => format!("{alias}.value"),
        }
    }

    /// A value of the `FROM` item `alias` as a typed SQL value, `NULL` when its JSON
    /// type is not the attribute's (the evaluator's comparisons never match those).
    fn typed(&self, alias: &str, attribute: &Attribute) -> Option<(String, Repr)> {
        let (sql, repr) = match (self.dialect, attribute.kind) {
            (Dialect::Postgres, AttributeType::Integer | AttributeType::Decimal) => (
                format!(
                    "CASE WHEN jsonb_typeof({alias}.j) = 'number' THEN ({alias}.j)::numeric END"
                ),
                Repr::Number,
            ),
            (Dialect::Postgres, AttributeType::Boolean) => (
                format!(
                    "CASE WHEN jsonb_typeof({alias}.j) = 'boolean' THEN ({alias}.j)::boolean END"
                ),
                Repr::Bool,
            ),
            (Dialect::Postgres, kind) => (
                format!(
                    "CASE WHEN jsonb_typeof({alias}.j) = 'string' THEN {alias}.j #>> '{{}}' END"
                ),
                text_repr(kind)?,
            ),
            (Dialect::Sqlite, AttributeType::Integer | AttributeType::Decimal) => (
                format!("CASE WHEN {alias}.type IN ('integer', 'real') THEN {alias}.value END"),
                Repr::Number,
            ),
            (Dialect::Sqlite, AttributeType::Boolean) => (
                format!("CASE {alias}.type WHEN 'true' THEN 1 WHEN 'false' THEN 0 END"),
                Repr::Bool,
            ),
            (Dialect::Sqlite, kind) => (
                format!("CASE WHEN {alias}.type = 'text' THEN {alias}.value END"),
                text_repr(kind)?,
            ),
        };
        Some((sql, repr))
    }

    /// The key of a top-level attribute in the search projection.
    fn search_key(attr: &AttrRef<'_>) -> Option<String> {
        let key = key(attr.extension, attr.attribute);
        Self::literal(&key).map(str::to_owned)
    }

    /// The `ORDER BY` expression for a path, and whether it is text; `None` when the
    /// store sorts by it in Rust.
    pub(crate) fn sort_key(&self, attr: &AttrRef<'_>) -> Option<String> {
        if let Some(column) = self.indexed(attr) {
            return match column.values {
                // `userName` is required, so never empty (RFC 7643 §2.2): its column
                // sorts as is, along its index.
                crate::filter::Values::Scalar(sql) if sql == "r.user_name" => Some(sql),
                // An empty string has no value to sort by (RFC 7644 §3.4.2.3): last.
                crate::filter::Values::Scalar(sql) => Some(format!("NULLIF({sql}, '')")),
                crate::filter::Values::Rows { .. } => None,
            };
        }
        if self.membership(attr).is_some() {
            return None;
        }
        let key = Self::search_key(attr)?;
        // Element 0: the primary element comes first in the projection.
        let sub = match attr.sub_attribute {
            Some(sub) => Some(sub),
            None if attr.attribute.is_complex() => attr.attribute.sub_attribute("value"),
            None => None,
        };
        let target = sub.unwrap_or(attr.attribute);
        let sub_key = match sub {
            Some(sub) => Some(Self::literal(&sub.name)?),
            None => None,
        };
        Some(match self.dialect {
            Dialect::Postgres => {
                let path = match sub_key {
                    Some(s) => format!("r.search -> '{key}' -> 0 -> '{s}' -> 0"),
                    None => format!("r.search -> '{key}' -> 0"),
                };
                match target.kind {
                    AttributeType::Integer | AttributeType::Decimal => format!(
                        "CASE WHEN jsonb_typeof({path}) = 'number' THEN ({path})::numeric END"
                    ),
                    AttributeType::Boolean => format!(
                        "CASE WHEN jsonb_typeof({path}) = 'boolean' THEN ({path})::boolean END"
                    ),
                    _ => format!(
                        "(CASE WHEN jsonb_typeof({path}) = 'string' THEN NULLIF({path} #>> '{{}}', '') END) COLLATE \"C\""
                    ),
                }
            }
            Dialect::Sqlite => {
                let path = match sub_key {
                    Some(s) => format!("'$.\"{key}\"[0].\"{s}\"[0]'"),
                    None => format!("'$.\"{key}\"[0]'"),
                };
                match target.kind {
                    AttributeType::Integer | AttributeType::Decimal | AttributeType::Boolean => {
                        format!("json_extract(r.search, {path})")
                    }
                    _ => format!("NULLIF(json_extract(r.search, {path}), '')"),
                }
            }
        })
    }
}

/// Which end of `scim_members` an attribute reads.
#[derive(Clone, Copy)]
enum Membership {
    /// A Group's `members`: rows whose `group_id` is the group.
    Members,
    /// A User's `groups`: rows whose `member_id` is the user.
    Groups,
}

impl Membership {
    const FROM: &'static str = "scim_members m";

    fn on(self) -> &'static str {
        match self {
            Self::Members => "m.tenant = r.tenant AND m.group_id = r.id",
            Self::Groups => "m.tenant = r.tenant AND m.member_id = r.id",
        }
    }

    /// The column of a sub-attribute; `display` and `$ref` are not stored as such
    /// (the evaluator decides).
    fn column(self, sub: &str) -> Option<(&'static str, Repr)> {
        match (self, sub) {
            (Self::Members, "value") => Some(("m.member_id", Repr::FoldedText)),
            (Self::Members, "type") => Some(("m.member_type", Repr::AsciiText)),
            (Self::Groups, "value") => Some(("m.group_id", Repr::FoldedText)),
            _ => None,
        }
    }
}

/// How a text-like attribute type is held in the projection.
fn text_repr(kind: AttributeType) -> Option<Repr> {
    match kind {
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
            Some(Repr::FoldedText)
        }
        AttributeType::DateTime => Some(Repr::Instant),
        _ => None,
    }
}

impl ColumnMap for DocumentMap {
    fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
        if let Some(column) = self.indexed(attr) {
            return Some(column);
        }
        if let Some(membership) = self.membership(attr) {
            let (value, repr) = membership.column(&attr.sub_attribute?.name)?;
            return Some(Column::rows(Membership::FROM, membership.on(), value, repr));
        }
        if attr.extension.is_none()
            && matches!(attr.attribute.name.as_str(), "id" | "externalId" | "meta")
        {
            return None;
        }
        let key = Self::search_key(attr)?;
        match attr.sub_attribute {
            None => {
                let from = self.array("r.search", &key, "v");
                let (value, repr) = self.typed("v", attr.attribute)?;
                Some(Column::rows(from, "", value, repr))
            }
            Some(sub) => {
                let sub_key = Self::literal(&sub.name)?;
                let elements = self.array("r.search", &key, "e");
                let values = self.array(&self.item("e"), sub_key, "v");
                let (value, repr) = self.typed("v", sub)?;
                Some(Column::rows(
                    format!("{elements}, {values}"),
                    "",
                    value,
                    repr,
                ))
            }
        }
    }

    fn elements(&self, attr: &AttrRef<'_>) -> Option<Elements> {
        if let Some(membership) = self.membership(attr) {
            return Some(Elements::new(Membership::FROM, membership.on()).never_empty());
        }
        if attr.extension.is_none() && attr.attribute.name == "meta" {
            return None;
        }
        let key = Self::search_key(attr)?;
        Some(Elements::new(self.array("r.search", &key, "e"), ""))
    }

    fn element_column(&self, parent: &AttrRef<'_>, sub: &Attribute) -> Option<Column> {
        if let Some(membership) = self.membership(parent) {
            let (value, repr) = membership.column(&sub.name)?;
            return Some(Column::scalar(value, repr));
        }
        let sub_key = Self::literal(&sub.name)?;
        let from = self.array(&self.item("e"), sub_key, "v");
        let (value, repr) = self.typed("v", sub)?;
        Some(Column::rows(from, "", value, repr))
    }
}
