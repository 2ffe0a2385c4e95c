//! The filter AST of RFC 7644 §3.4.2.2 and PATCH paths of §3.5.2.

/// An attribute path: an optional schema URN, an attribute name and an optional
/// sub-attribute (`attrPath = [URI ":"] ATTRNAME *1subAttr`).
///
/// Names keep the client's spelling; comparisons against the schema are
/// case-insensitive (RFC 7643 §2.1).
///
/// ```
/// use scim_core::filter::AttrPath;
/// let p: AttrPath = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".parse().unwrap();
/// assert_eq!(p.urn.as_deref(), Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
/// assert_eq!(p.name, "manager");
/// assert_eq!(p.sub_attribute.as_deref(), Some("value"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// The schema URN prefix, if the path is fully qualified.
    pub urn: Option<String>,
    /// The attribute name.
    pub name: String,
    /// The sub-attribute name, if any.
    pub sub_attribute: Option<String>,
}

impl AttrPath {
    /// A path to a top-level attribute of the core schema.
    ///
    /// ```
    /// # use scim_core::filter::AttrPath;
    /// assert_eq!(AttrPath::new("userName").to_string(), "userName");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            urn: None,
            name: name.into(),
            sub_attribute: None,
        }
    }

    /// The same path with a sub-attribute.
    ///
    /// ```
    /// # use scim_core::filter::AttrPath;
    /// assert_eq!(AttrPath::new("name").with_sub_attribute("givenName").to_string(), "name.givenName");
    /// ```
    #[must_use]
    pub fn with_sub_attribute(mut self, sub: impl Into<String>) -> Self {
        self.sub_attribute = Some(sub.into());
        self
    }

    /// The same path qualified by a schema URN.
    ///
    /// ```
    /// # use scim_core::filter::AttrPath;
    /// let p = AttrPath::new("employeeNumber").with_urn("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
    /// assert_eq!(p.to_string(), "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber");
    /// ```
    #[must_use]
    pub fn with_urn(mut self, urn: impl Into<String>) -> Self {
        self.urn = Some(urn.into());
        self
    }
}

/// A comparison operator (RFC 7644 §3.4.2.2, Table 3). Parsed case-insensitively,
/// displayed in lower case.
///
/// ```
/// use scim_core::filter::CompareOp;
/// assert_eq!(CompareOp::Sw.as_str(), "sw");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// greater than
    Gt,
    /// less than
    Lt,
    /// greater than or equal to
    Ge,
    /// less than or equal to
    Le,
}

impl CompareOp {
    /// The operator's keyword in lower case.
    ///
    /// ```
    /// # use scim_core::filter::CompareOp;
    /// assert_eq!(CompareOp::Ge.as_str(), "ge");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Co => "co",
            Self::Sw => "sw",
            Self::Ew => "ew",
            Self::Gt => "gt",
            Self::Lt => "lt",
            Self::Ge => "ge",
            Self::Le => "le",
        }
    }
}

/// A comparison value: `false / null / true / number / string` (RFC 7644 §3.4.2.2).
///
/// ```
/// use scim_core::filter::CompValue;
/// assert_eq!(CompValue::String("bjensen".into()).to_string(), "\"bjensen\"");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A JSON number, kept exact (integer or decimal).
    Number(serde_json::Number),
    /// A JSON string, unescaped.
    String(String),
}

/// A SCIM filter expression (RFC 7644 §3.4.2.2).
///
/// `and` and `or` chains are n-ary (at least two operands) so that a chain of
/// 100 000 clauses is a flat list rather than a 100 000-deep tree; a parenthesised
/// group stays a nested node, so [`Display`](std::fmt::Display) and parsing round-trip.
///
/// ```
/// use scim_core::{Filter, filter::{AttrPath, CompareOp, CompValue}};
/// let f = Filter::Compare {
///     path: AttrPath::new("userName"),
///     op: CompareOp::Eq,
///     value: CompValue::String("bjensen".into()),
/// };
/// assert_eq!(f.to_string(), "userName eq \"bjensen\"");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Filter {
    /// `attrPath compareOp compValue`
    Compare {
        /// The attribute compared.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The value compared with.
        value: CompValue,
    },
    /// `attrPath "pr"`
    Present(AttrPath),
    /// `valFilter "and" valFilter ...` (two or more operands)
    And(Vec<Filter>),
    /// `valFilter "or" valFilter ...` (two or more operands)
    Or(Vec<Filter>),
    /// `"not" "(" valFilter ")"`
    Not(Box<Filter>),
    /// `attrPath "[" valFilter "]"`: some element of a multi-valued complex attribute
    /// satisfies the inner filter, whose paths are relative to the element.
    ValuePath {
        /// The multi-valued attribute.
        path: AttrPath,
        /// The filter every condition of which must hold on the same element.
        filter: Box<Filter>,
    },
}

/// A PATCH operation path: `PATH = attrPath / valuePath [subAttr]` (RFC 7644 §3.5.2).
///
/// ```
/// use scim_core::filter::PatchPath;
/// let p: PatchPath = "emails[type eq \"work\"].value".parse().unwrap();
/// assert_eq!(p.attribute.name, "emails");
/// assert!(p.filter.is_some());
/// assert_eq!(p.sub_attribute.as_deref(), Some("value"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute (with a URN prefix and sub-attribute when the path is a plain attrPath).
    pub attribute: AttrPath,
    /// The value filter selecting elements of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`emails[type eq "work"].value`).
    pub sub_attribute: Option<String>,
}
