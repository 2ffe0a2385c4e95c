//! Attribute characteristics (RFC 7643 §2.2, §7).

use serde::{Deserialize, Serialize};

/// The data type of an attribute ([RFC 7643 §2.3](https://www.rfc-editor.org/rfc/rfc7643#section-2.3)).
///
/// ```
/// use scim_core::schema::AttributeType;
/// assert_eq!(serde_json::to_string(&AttributeType::DateTime).unwrap(), "\"dateTime\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttributeType {
    /// A sequence of characters (§2.3.1).
    String,
    /// `true` or `false` (§2.3.2).
    Boolean,
    /// A real number with at least one digit after the point (§2.3.3).
    Decimal,
    /// A whole number (§2.3.4).
    Integer,
    /// An RFC 3339 date and time (§2.3.5).
    DateTime,
    /// A base64-encoded binary value (§2.3.6).
    Binary,
    /// A URI for a resource (§2.3.7).
    Reference,
    /// A singular or multi-valued complex attribute made of sub-attributes (§2.3.8).
    Complex,
}

/// Whether and how an attribute may be changed ([RFC 7643 §7](https://www.rfc-editor.org/rfc/rfc7643#section-7)).
///
/// ```
/// use scim_core::schema::Mutability;
/// assert_eq!(Mutability::default(), Mutability::ReadWrite);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    /// Set by the service provider only; client values are ignored.
    ReadOnly,
    /// May be updated and read at any time.
    #[default]
    ReadWrite,
    /// May be set once (on create, or when empty) and never changed.
    Immutable,
    /// May be written but is never returned.
    WriteOnly,
}

/// When an attribute is returned in a response ([RFC 7643 §7](https://www.rfc-editor.org/rfc/rfc7643#section-7)).
///
/// ```
/// use scim_core::schema::Returned;
/// assert_eq!(Returned::default(), Returned::Default);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    /// Always returned, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded.
    #[default]
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

/// How the service provider enforces uniqueness ([RFC 7643 §7](https://www.rfc-editor.org/rfc/rfc7643#section-7)).
///
/// ```
/// use scim_core::schema::Uniqueness;
/// assert_eq!(Uniqueness::default(), Uniqueness::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    /// No uniqueness is enforced.
    #[default]
    None,
    /// Unique within the service provider's data for one tenant.
    Server,
    /// Globally unique.
    Global,
}

/// The definition of one attribute, with every characteristic of RFC 7643 §7.
///
/// Build one with [`Attribute::new`] and the chaining setters:
///
/// ```
/// use scim_core::schema::{Attribute, AttributeType, Mutability, Returned};
/// let password = Attribute::new("password", AttributeType::String)
///     .mutability(Mutability::WriteOnly)
///     .returned(Returned::Never);
/// assert_eq!(password.name, "password");
/// assert!(!password.multi_valued);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Attribute {
    /// The attribute's name, in its canonical spelling.
    pub name: String,
    /// The data type.
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// Whether the attribute holds a list of values.
    pub multi_valued: bool,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether the attribute must be present on create and replace.
    pub required: bool,
    /// Suggested values (advisory unless strict validation is on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    /// Whether string comparisons are case-sensitive.
    pub case_exact: bool,
    /// How the attribute may change.
    pub mutability: Mutability,
    /// When the attribute is returned.
    pub returned: Returned,
    /// How uniqueness is enforced.
    pub uniqueness: Uniqueness,
    /// For `reference` attributes: the resource types or `external`/`uri` it may point to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    /// For `complex` attributes: their sub-attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<Attribute>,
    /// The sub-attributes a narrowed schema left out ([`Schema::narrow`](super::Schema::narrow)):
    /// a write setting one is refused unless
    /// [`ValidationOptions::ignore_unsupported_attributes`](super::ValidationOptions::ignore_unsupported_attributes)
    /// is on. Never rendered.
    #[serde(skip)]
    pub omitted_sub_attributes: Vec<String>,
}

impl Attribute {
    /// A singular, optional, read-write, case-insensitive attribute returned by default.
    ///
    /// ```
    /// use scim_core::schema::{Attribute, AttributeType};
    /// let a = Attribute::new("nickName", AttributeType::String);
    /// assert!(!a.required && !a.case_exact);
    /// ```
    pub fn new(name: impl Into<String>, kind: AttributeType) -> Self {
        Self {
            name: name.into(),
            kind,
            multi_valued: false,
            description: String::new(),
            required: false,
            canonical_values: Vec::new(),
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
            omitted_sub_attributes: Vec::new(),
        }
    }

    /// A complex attribute with the given sub-attributes.
    ///
    /// ```
    /// use scim_core::schema::{Attribute, AttributeType};
    /// let name = Attribute::complex("name", vec![Attribute::new("givenName", AttributeType::String)]);
    /// assert_eq!(name.sub_attribute("GIVENNAME").unwrap().name, "givenName");
    /// ```
    pub fn complex(name: impl Into<String>, sub_attributes: Vec<Attribute>) -> Self {
        let mut a = Self::new(name, AttributeType::Complex);
        a.sub_attributes = sub_attributes;
        a
    }

    /// Sets `multiValued`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// assert!(Attribute::new("x", AttributeType::String).multi_valued(true).multi_valued);
    /// ```
    #[must_use]
    pub fn multi_valued(mut self, multi_valued: bool) -> Self {
        self.multi_valued = multi_valued;
        self
    }

    /// Sets `description`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// assert_eq!(Attribute::new("x", AttributeType::String).description("d").description, "d");
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Sets `required`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// assert!(Attribute::new("x", AttributeType::String).required(true).required);
    /// ```
    #[must_use]
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// Sets `caseExact`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// assert!(Attribute::new("x", AttributeType::String).case_exact(true).case_exact);
    /// ```
    #[must_use]
    pub fn case_exact(mut self, case_exact: bool) -> Self {
        self.case_exact = case_exact;
        self
    }

    /// Sets `mutability`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType, Mutability};
    /// let a = Attribute::new("x", AttributeType::String).mutability(Mutability::Immutable);
    /// assert_eq!(a.mutability, Mutability::Immutable);
    /// ```
    #[must_use]
    pub fn mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }

    /// Sets `returned`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType, Returned};
    /// let a = Attribute::new("x", AttributeType::String).returned(Returned::Always);
    /// assert_eq!(a.returned, Returned::Always);
    /// ```
    #[must_use]
    pub fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }

    /// Sets `uniqueness`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType, Uniqueness};
    /// let a = Attribute::new("x", AttributeType::String).uniqueness(Uniqueness::Server);
    /// assert_eq!(a.uniqueness, Uniqueness::Server);
    /// ```
    #[must_use]
    pub fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }

    /// Sets `canonicalValues`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// let a = Attribute::new("type", AttributeType::String).canonical_values(["work", "home"]);
    /// assert_eq!(a.canonical_values, ["work", "home"]);
    /// ```
    #[must_use]
    pub fn canonical_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.canonical_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `referenceTypes`.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// let a = Attribute::new("$ref", AttributeType::Reference).reference_types(["User", "Group"]);
    /// assert_eq!(a.reference_types, ["User", "Group"]);
    /// ```
    #[must_use]
    pub fn reference_types<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reference_types = values.into_iter().map(Into::into).collect();
        self
    }

    /// Finds a sub-attribute by name, case-insensitively (RFC 7643 §2.1).
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// let emails = Attribute::complex("emails", vec![Attribute::new("value", AttributeType::String)]);
    /// assert!(emails.sub_attribute("Value").is_some());
    /// assert!(emails.sub_attribute("nope").is_none());
    /// ```
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether this is a complex attribute.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType};
    /// assert!(Attribute::complex("name", vec![]).is_complex());
    /// ```
    pub fn is_complex(&self) -> bool {
        self.kind == AttributeType::Complex
    }

    /// Whether values of this attribute never leave the server: `returned: never`, or
    /// `writeOnly` (RFC 7643 §7), as `password`. Such an attribute is never in a response,
    /// and so never usable in a `filter` or `sortBy` either: matching or ordering on it
    /// would answer what a response must not (a password guessed one `ge` at a time).
    ///
    /// ```
    /// # use scim_core::{SchemaRegistry, schema::{Attribute, AttributeType, Returned}};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// assert!(users.schema.attribute_named("password").unwrap().is_never_returned());
    /// assert!(!users.schema.attribute_named("userName").unwrap().is_never_returned());
    /// assert!(Attribute::new("x", AttributeType::String).returned(Returned::Never).is_never_returned());
    /// ```
    pub fn is_never_returned(&self) -> bool {
        self.returned == Returned::Never || self.mutability == Mutability::WriteOnly
    }
}
