//! SCIM filters (RFC 7644 §3.4.2.2) translated to one SQL `WHERE` fragment with bound
//! parameters, for any table layout: a [`ColumnMap`] says where each attribute's
//! values are (a column, or rows of a joined table or JSON array), and
//! [`translate`] does the rest, with the semantics of scim-core's evaluator
//! ([`scim_core::filter::PreparedFilter::matches`]):
//!
//! - strings compare folded with [`scim_core::filter::fold_case`] unless the attribute is
//!   `caseExact` ([`Repr::FoldedText`] columns hold folded text; the filter value is
//!   folded the same way before it is bound);
//! - dateTimes compare as instants ([`Repr::Instant`] columns hold
//!   [`normalize_instant`] text, whose order is time order);
//! - a multi-valued attribute matches when any value does (`EXISTS`);
//! - under a `not`, every leaf is `TRUE` or `FALSE`, never SQL `NULL`
//!   (`COALESCE(…, FALSE)`), so `not (...)` keeps exactly the rows the evaluator
//!   keeps; elsewhere a `NULL` reads as `FALSE` already and leaves stay bare, so that
//!   an index on the column serves them;
//! - `co`/`sw`/`ew` escape `%`, `_` and `\` (or use `instr`/`substr` on SQLite, whose
//!   `LIKE` ignores ASCII case);
//! - values are always bound parameters; attribute names are never spliced.
//!
//! What cannot be translated (a `co` on a dateTime column, a path the map does not
//! know) is replaced by a condition that keeps a superset of the matching rows and
//! the result says so ([`Translated::exact`] is `false`): the caller then checks each
//! row with [`scim_core::filter::PreparedFilter::matches`].
//!
//! ```
//! use scim_core::{Filter, SchemaRegistry};
//! use scim_sqlx::filter::{translate, AttrRef, Column, ColumnMap, Dialect, Repr, SqlValue};
//!
//! /// A host's own `users` table: `email_folded` holds `fold_case(email)`.
//! struct Users;
//! impl ColumnMap for Users {
//!     fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
//!         match (attr.attribute.name.as_str(), attr.sub_attribute.map(|s| s.name.as_str())) {
//!             ("userName", None) => Some(Column::scalar("u.email_folded", Repr::FoldedText)),
//!             ("active", None) => Some(Column::scalar("u.is_active", Repr::Bool)),
//!             _ => None,
//!         }
//!     }
//! }
//!
//! let registry = SchemaRegistry::with_builtins();
//! let users = registry.resource_type("User").unwrap();
//! let filter: Filter = r#"userName sw "Ann_" and not (active eq false)"#.parse().unwrap();
//! let t = translate(&filter, users, &Users, Dialect::Postgres, 1);
//! assert!(t.exact);
//! assert_eq!(t.sql, r#"(u.email_folded LIKE $1 ESCAPE '\' AND NOT COALESCE(u.is_active = $2, FALSE))"#);
//! assert_eq!(t.params, [SqlValue::Text("ann\\_%".into()), SqlValue::Bool(false)]);
//! ```

mod column;
mod columns;
mod leaf;
mod params;
#[cfg(test)]
mod tests;

use scim_core::filter::{AttrPath, CompValue, CompareOp};
use scim_core::schema::Attribute;
use scim_core::{Filter, ResourceType};

pub use self::column::{AttrRef, Column, ColumnMap, Elements, Repr, Values};
pub use self::columns::Columns;
pub use self::leaf::escape_like;
pub use self::params::{bind, bind_json};
pub use crate::search::normalize_instant;

/// The SQL dialect to write: placeholders (`$1` or `?1`) and a few functions differ.
///
/// ```
/// use scim_sqlx::filter::Dialect;
/// assert_eq!(Dialect::Sqlite.placeholder(3), "?3");
/// assert_eq!(Dialect::Postgres.placeholder(3), "$3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// PostgreSQL 12 or later.
    Postgres,
    /// SQLite 3.38 or later (JSON functions built in).
    Sqlite,
}

impl Dialect {
    /// The placeholder of the 1-based parameter `n`.
    ///
    /// ```
    /// # use scim_sqlx::filter::Dialect;
    /// assert_eq!(Dialect::Postgres.placeholder(1), "$1");
    /// ```
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Self::Postgres => format!("${n}"),
            Self::Sqlite => format!("?{n}"),
        }
    }
}

/// A bound parameter of a translated filter.
///
/// ```
/// use scim_sqlx::filter::SqlValue;
/// assert_eq!(SqlValue::Text("x".into()), SqlValue::Text("x".into()));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SqlValue {
    /// Text (also numbers on PostgreSQL, cast to `NUMERIC` in the SQL).
    Text(String),
    /// A 64-bit integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// A boolean.
    Bool(bool),
}

/// A filter as SQL: a boolean expression and its parameters, numbered from the
/// `first_param` given to [`translate`].
///
/// ```
/// use scim_core::{Filter, SchemaRegistry};
/// use scim_sqlx::filter::{translate, AttrRef, Column, ColumnMap, Dialect};
/// struct Nothing;
/// impl ColumnMap for Nothing {
///     fn column(&self, _: &AttrRef<'_>) -> Option<Column> { None }
/// }
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let filter: Filter = r#"title eq "boss""#.parse().unwrap();
/// let t = translate(&filter, users, &Nothing, Dialect::Sqlite, 1);
/// // Nothing maps `title`: every row is a candidate, to be checked in Rust.
/// assert_eq!((t.sql.as_str(), t.exact), ("TRUE", false));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Translated {
    /// The condition, parenthesised where it needs to be; `TRUE` or `FALSE` when the
    /// filter folds to a constant.
    pub sql: String,
    /// The parameters, in placeholder order.
    pub params: Vec<SqlValue>,
    /// Whether `sql` selects exactly the matching rows. When `false` it selects a
    /// superset: check each row with [`scim_core::filter::PreparedFilter::matches`].
    pub exact: bool,
}

/// Translates `filter` for `resource_type` into SQL over the columns `map` names;
/// placeholders are numbered from `first_param` (1 for a query with no parameters
/// before the filter).
///
/// ```
/// use scim_core::{Filter, SchemaRegistry};
/// use scim_sqlx::filter::{translate, AttrRef, Column, ColumnMap, Dialect, Elements, Repr};
///
/// /// `emails` in a table of their own.
/// struct Users;
/// impl ColumnMap for Users {
///     fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
///         match (attr.attribute.name.as_str(), attr.sub_attribute.map(|s| s.name.as_str())) {
///             ("emails", Some("value")) => Some(Column::rows("user_emails e", "e.user_id = u.id", "e.address_folded", Repr::FoldedText)),
///             _ => None,
///         }
///     }
///     fn elements(&self, attr: &AttrRef<'_>) -> Option<Elements> {
///         (attr.attribute.name == "emails").then(|| Elements::new("user_emails e", "e.user_id = u.id"))
///     }
///     fn element_column(&self, parent: &AttrRef<'_>, sub: &scim_core::schema::Attribute) -> Option<Column> {
///         match sub.name.as_str() {
///             "value" => Some(Column::scalar("e.address_folded", Repr::FoldedText)),
///             "type" => Some(Column::scalar("e.kind", Repr::FoldedText)),
///             _ => None,
///         }
///     }
/// }
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let filter: Filter = r#"emails[type eq "work" and value ew "@Example.com"]"#.parse().unwrap();
/// let t = translate(&filter, users, &Users, Dialect::Sqlite, 3);
/// assert_eq!(t.sql, "EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = u.id AND \
///     (e.kind = ?3 AND substr(e.address_folded, -length(?4)) = ?4))");
/// assert!(t.exact);
/// ```
pub fn translate(
    filter: &Filter,
    resource_type: &ResourceType,
    map: &dyn ColumnMap,
    dialect: Dialect,
    first_param: usize,
) -> Translated {
    let mut writer = Writer {
        map,
        dialect,
        rt: resource_type,
        params: Vec::new(),
        exact: true,
        local_negated: false,
        negated: false,
    };
    let cond = writer.filter(filter, Scope::Resource, false);
    let (sql, params) = number_params(&cond.into_sql(), writer.params, dialect, first_param);
    Translated {
        sql,
        params,
        exact: writer.exact,
    }
}

/// Replaces the provisional `NUL n NUL` markers [`Writer::bind`] writes with the
/// dialect's placeholders, numbered from `first` in order of appearance, and keeps
/// only the parameters still referenced: parts folded away (`x eq 1 and false`)
/// leave no parameter behind, which PostgreSQL would refuse.
fn number_params(
    sql: &str,
    mut bound: Vec<SqlValue>,
    dialect: Dialect,
    first: usize,
) -> (String, Vec<SqlValue>) {
    let mut out = String::with_capacity(sql.len());
    let mut params = Vec::new();
    let mut numbers: Vec<Option<usize>> = vec![None; bound.len()];
    let mut parts = sql.split('\0');
    if let Some(head) = parts.next() {
        out.push_str(head);
    }
    while let (Some(index), Some(text)) = (parts.next(), parts.next()) {
        let index: usize = index.parse().unwrap_or(usize::MAX);
        let number = match numbers.get(index).copied().flatten() {
            Some(n) => n,
            None => {
                let n = first + params.len();
                let value = bound
                    .get_mut(index)
                    .map(|v| std::mem::replace(v, SqlValue::Bool(false)))
                    .unwrap_or(SqlValue::Bool(false));
                params.push(value);
                if let Some(slot) = numbers.get_mut(index) {
                    *slot = Some(n);
                }
                n
            }
        };
        out.push_str(&dialect.placeholder(number));
        out.push_str(text);
    }
    (out, params)
}

/// A translated node: constants fold away so that `Never` leaves and unsupported
/// parts leave readable SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    True,
    False,
    Sql(String),
}

impl Cond {
    fn into_sql(self) -> String {
        match self {
            Self::True => "TRUE".to_owned(),
            Self::False => "FALSE".to_owned(),
            Self::Sql(sql) => sql,
        }
    }
}

/// Where a path is resolved: the resource, or the element of an enclosing value path.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource,
    /// Elements with their own rows (`emails` in a table or JSON array).
    Element(AttrRef<'a>),
    /// A singular complex attribute without element rows: `name[givenName eq "x"]`
    /// reads `name.givenName` from the resource.
    Singular(AttrRef<'a>),
}

/// The translation state: the parameters written so far.
pub(crate) struct Writer<'m> {
    map: &'m dyn ColumnMap,
    pub(crate) dialect: Dialect,
    rt: &'m ResourceType,
    params: Vec<SqlValue>,
    exact: bool,
    /// Whether the node being written sits under an odd number of `not`s within its
    /// `WHERE` (an `EXISTS` starts a new one). Only there can a `NULL` leaf change the
    /// outcome (`NOT NULL` drops a row the evaluator keeps), so only there are leaves
    /// wrapped in `…`; elsewhere they stay bare, and indexable.
    local_negated: bool,
    /// Whether the leaf being written sits under an odd number of `not`s in the whole
    /// filter: an approximate leaf then selects a subset (its negation a superset).
    negated: bool,
}

impl<'m> Writer<'m> {
    /// Binds a value and returns a provisional marker for it (`NUL index NUL`), which
    /// [`number_params`] turns into the final placeholder: SQL text never holds NUL
    /// otherwise, every value being bound.
    pub(crate) fn bind(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        format!("\0{}\0", self.params.len() - 1)
    }

    /// What an untranslatable part becomes: a superset of its rows, `TRUE` under an
    /// even number of `not`s and `FALSE` under an odd one.
    fn unsupported(&mut self, negated: bool) -> Cond {
        self.exact = false;
        if negated { Cond::False } else { Cond::True }
    }

    fn filter(&mut self, filter: &Filter, scope: Scope<'m>, negated: bool) -> Cond {
        match filter {
            Filter::And(operands) => {
                let parts = operands
                    .iter()
                    .map(|f| self.filter(f, scope, negated))
                    .collect();
                junction(parts, "AND")
            }
            Filter::Or(operands) => {
                let parts = operands
                    .iter()
                    .map(|f| self.filter(f, scope, negated))
                    .collect();
                junction(parts, "OR")
            }
            Filter::Not(inner) => {
                self.local_negated = !self.local_negated;
                let inner = self.filter(inner, scope, !negated);
                self.local_negated = !self.local_negated;
                match inner {
                    Cond::True => Cond::False,
                    Cond::False => Cond::True,
                    Cond::Sql(sql) => Cond::Sql(format!("NOT {sql}")),
                }
            }
            Filter::Present(path) => match self.resolve(path, scope) {
                Some(Resolved::Column(column, attribute)) => self.present(&column, attribute),
                Some(Resolved::Complex(attr)) => self.complex_present(attr, negated),
                Some(Resolved::Unmapped) => self.unsupported(negated),
                None => Cond::False,
            },
            Filter::Compare {
                path,
                op,
                value: CompValue::Null,
            } => {
                // `eq null` asks for absence, `ne null` for presence, of the path as
                // written (a complex attribute included).
                if self.resolve(path, scope).is_none() {
                    // A path the schema does not define matches nothing, `eq null` too.
                    return Cond::False;
                }
                let present = || Filter::Present(path.clone());
                match op {
                    CompareOp::Eq => self.filter(&Filter::Not(Box::new(present())), scope, negated),
                    CompareOp::Ne => self.filter(&present(), scope, negated),
                    _ => Cond::False,
                }
            }
            Filter::Compare { path, op, value } => {
                let resolved = match self.resolve(path, scope) {
                    // A multi-valued complex attribute named alone compares its
                    // `value`s (RFC 7644 §3.4.2.2: `emails co "example.com"`).
                    Some(Resolved::Complex(attr)) if attr.attribute.multi_valued => {
                        match attr.attribute.sub_attribute("value") {
                            Some(value_attr) => self.column_of(AttrRef {
                                sub_attribute: Some(value_attr),
                                ..attr
                            }),
                            None => return Cond::False,
                        }
                    }
                    Some(Resolved::Complex(_)) | None => return Cond::False,
                    Some(other) => other,
                };
                match resolved {
                    Resolved::Column(column, attribute) => {
                        self.negated = negated;
                        match self.compare(&column, attribute, *op, value) {
                            Some(cond) => cond,
                            None => self.unsupported(negated),
                        }
                    }
                    _ => self.unsupported(negated),
                }
            }
            Filter::ValuePath { path, filter } => self.value_path(path, filter, scope, negated),
            // A filter node this version does not know: let the evaluator decide.
            _ => self.unsupported(negated),
        }
    }

    fn value_path(
        &mut self,
        path: &AttrPath,
        filter: &Filter,
        scope: Scope<'m>,
        negated: bool,
    ) -> Cond {
        let Scope::Resource = scope else {
            return Cond::False;
        };
        let Some(resolved) = self.rt.resolve(path) else {
            return Cond::False;
        };
        if resolved.sub_attribute.is_some() || !resolved.attribute.is_complex() {
            return Cond::False;
        }
        let attr = AttrRef {
            extension: resolved.extension,
            attribute: resolved.attribute,
            sub_attribute: None,
        };
        match self.map.elements(&attr) {
            Some(elements) => {
                let outer = std::mem::replace(&mut self.local_negated, false);
                let inner = self.filter(filter, Scope::Element(attr), negated);
                self.local_negated = outer;
                match inner {
                    Cond::False => Cond::False,
                    Cond::True => Cond::Sql(elements.exists(None)),
                    Cond::Sql(inner) => Cond::Sql(elements.exists(Some(&inner))),
                }
            }
            None if !attr.attribute.multi_valued => {
                self.filter(filter, Scope::Singular(attr), negated)
            }
            None => self.unsupported(negated),
        }
    }

    /// `pr` on a complex attribute: some element, or some sub-attribute, is present.
    fn complex_present(&mut self, attr: AttrRef<'m>, negated: bool) -> Cond {
        if let Some(elements) = self.map.elements(&attr) {
            if elements.never_empty {
                return Cond::Sql(elements.exists(None));
            }
            // RFC 7644 §3.4.2.2: an element counts when some sub-attribute has a value.
            let outer = std::mem::replace(&mut self.local_negated, false);
            let mut parts = Vec::new();
            for sub in &attr.attribute.sub_attributes {
                match self.map.element_column(&attr, sub) {
                    Some(column) => parts.push(self.present(&column, sub)),
                    None => {
                        self.local_negated = outer;
                        return self.unsupported(negated);
                    }
                }
            }
            self.local_negated = outer;
            return match junction(parts, "OR") {
                Cond::Sql(inner) => Cond::Sql(elements.exists(Some(&inner))),
                other => other,
            };
        }
        if attr.attribute.multi_valued {
            return self.unsupported(negated);
        }
        let mut parts = Vec::new();
        for sub in &attr.attribute.sub_attributes {
            let sub_ref = AttrRef {
                sub_attribute: Some(sub),
                ..attr
            };
            match self.map.column(&sub_ref) {
                Some(column) => parts.push(self.present(&column, sub)),
                None => return self.unsupported(negated),
            }
        }
        junction(parts, "OR")
    }

    fn column_of(&self, attr: AttrRef<'m>) -> Resolved<'m> {
        match self.map.column(&attr) {
            Some(column) => Resolved::Column(column, attr.target()),
            None => Resolved::Unmapped,
        }
    }

    /// A path resolved in its scope; `None` when the schema does not define it (the
    /// evaluator matches nothing then).
    fn resolve(&self, path: &AttrPath, scope: Scope<'m>) -> Option<Resolved<'m>> {
        match scope {
            Scope::Resource => {
                let r = self.rt.resolve(path)?;
                let attr = AttrRef {
                    extension: r.extension,
                    attribute: r.attribute,
                    sub_attribute: r.sub_attribute,
                };
                if attr.sub_attribute.is_none() && attr.attribute.is_complex() {
                    return Some(Resolved::Complex(attr));
                }
                Some(self.column_of(attr))
            }
            Scope::Element(parent) | Scope::Singular(parent) => {
                if path.sub_attribute.is_some() || path.urn.is_some() {
                    return None;
                }
                let sub = parent.attribute.sub_attribute(&path.name)?;
                let column = match scope {
                    Scope::Element(parent) => self.map.element_column(&parent, sub),
                    _ => self.map.column(&AttrRef {
                        sub_attribute: Some(sub),
                        ..parent
                    }),
                };
                Some(match column {
                    Some(column) => Resolved::Column(column, sub),
                    None => Resolved::Unmapped,
                })
            }
        }
    }
}

/// A path resolved against the map.
enum Resolved<'a> {
    /// Values in a column, with the attribute whose type and `caseExact` apply.
    Column(Column, &'a Attribute),
    /// A complex attribute named alone.
    Complex(AttrRef<'a>),
    /// Defined by the schema, unknown to the map.
    Unmapped,
}

/// `a AND b AND ...` with constants folded, written as a balanced tree so that 1 000
/// operands nest 4 deep, not 1 000 (SQLite refuses expressions deeper than 1 000).
fn junction(parts: Vec<Cond>, keyword: &str) -> Cond {
    let (absorbing, neutral) = if keyword == "AND" {
        (Cond::False, Cond::True)
    } else {
        (Cond::True, Cond::False)
    };
    let mut sql = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Cond::Sql(s) => sql.push(s),
            c if c == absorbing => return absorbing,
            _ => {}
        }
    }
    match sql.len() {
        0 => neutral,
        1 => Cond::Sql(sql.pop().unwrap_or_default()),
        _ => Cond::Sql(balanced(&sql, keyword)),
    }
}

/// Operands joined by `keyword`, at most eight per parenthesised level.
fn balanced(parts: &[String], keyword: &str) -> String {
    const FLAT: usize = 8;
    let separator = format!(" {keyword} ");
    if parts.len() <= FLAT {
        return format!("({})", parts.join(&separator));
    }
    let chunk = parts.len().div_ceil(FLAT);
    let groups: Vec<String> = parts
        .chunks(chunk)
        .map(|c| {
            if c.len() == 1 {
                c.concat()
            } else {
                balanced(c, keyword)
            }
        })
        .collect();
    format!("({})", groups.join(&separator))
}
