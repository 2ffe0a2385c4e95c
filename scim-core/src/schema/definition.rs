//! Schemas and resource types (RFC 7643 §6, §7).

use std::sync::Arc;

use super::attribute::Attribute;

/// A schema: a URN and the attributes it defines ([RFC 7643 §7](https://www.rfc-editor.org/rfc/rfc7643#section-7)).
///
/// ```
/// use scim_core::schema::{Attribute, AttributeType, Schema};
/// let schema = Schema::new("urn:example:params:scim:schemas:Device", "Device")
///     .attribute(Attribute::new("serialNumber", AttributeType::String).required(true));
/// assert!(schema.attribute_named("SERIALNUMBER").is_some());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Schema {
    /// The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`.
    pub id: String,
    /// A human-readable name.
    pub name: String,
    /// A human-readable description.
    pub description: String,
    /// The top-level attributes.
    pub attributes: Vec<Attribute>,
    /// The top-level attributes a narrowed schema left out ([`Schema::narrow`]): a write
    /// setting one is refused unless
    /// [`ValidationOptions::ignore_unsupported_attributes`](super::ValidationOptions::ignore_unsupported_attributes)
    /// is on. Never rendered.
    pub omitted: Vec<String>,
}

impl Schema {
    /// A schema with no attributes yet.
    ///
    /// ```
    /// # use scim_core::schema::Schema;
    /// assert_eq!(Schema::new("urn:x", "X").id, "urn:x");
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            attributes: Vec::new(),
            omitted: Vec::new(),
        }
    }

    /// Sets the description.
    ///
    /// ```
    /// # use scim_core::schema::Schema;
    /// assert_eq!(Schema::new("urn:x", "X").description("d").description, "d");
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds an attribute.
    ///
    /// ```
    /// # use scim_core::schema::{Attribute, AttributeType, Schema};
    /// let s = Schema::new("urn:x", "X").attribute(Attribute::new("a", AttributeType::String));
    /// assert_eq!(s.attributes.len(), 1);
    /// ```
    #[must_use]
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Finds a top-level attribute by name, case-insensitively.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.schema("urn:ietf:params:scim:schemas:core:2.0:User").unwrap();
    /// assert_eq!(user.attribute_named("username").unwrap().name, "userName");
    /// ```
    pub fn attribute_named(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A schema extension attached to a resource type (RFC 7643 §6, `schemaExtensions`).
///
/// ```
/// # use scim_core::SchemaRegistry;
/// let registry = SchemaRegistry::with_builtins();
/// let user = registry.resource_type("User").unwrap();
/// assert!(!user.extensions[0].required);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SchemaExtension {
    /// The extension schema.
    pub schema: Arc<Schema>,
    /// Whether resources of this type must carry the extension.
    pub required: bool,
}

/// A resource type: a name, an endpoint, a core schema and its extensions
/// ([RFC 7643 §6](https://www.rfc-editor.org/rfc/rfc7643#section-6)).
///
/// ```
/// use std::sync::Arc;
/// use scim_core::{ResourceType, schema::{Attribute, AttributeType, Schema}};
/// let device = Arc::new(Schema::new("urn:example:Device", "Device")
///     .attribute(Attribute::new("serialNumber", AttributeType::String)));
/// let rt = ResourceType::new("Device", "/Devices", device);
/// assert_eq!(rt.endpoint, "/Devices");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceType {
    /// The resource type's name and id, e.g. `User`.
    pub name: String,
    /// The endpoint relative to the base URL, e.g. `/Users`.
    pub endpoint: String,
    /// A human-readable description.
    pub description: String,
    /// The core schema.
    pub schema: Arc<Schema>,
    /// The schema extensions.
    pub extensions: Vec<SchemaExtension>,
    /// The URNs of the extensions a narrowed resource type left out
    /// ([`ResourceType::narrow`]); writes into them are refused like those of any other
    /// left-out attribute.
    pub omitted_extensions: Vec<String>,
}

impl ResourceType {
    /// A resource type with no extensions.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use scim_core::{ResourceType, schema::Schema};
    /// let rt = ResourceType::new("Device", "/Devices", Arc::new(Schema::new("urn:d", "Device")));
    /// assert!(rt.extensions.is_empty());
    /// ```
    pub fn new(name: impl Into<String>, endpoint: impl Into<String>, schema: Arc<Schema>) -> Self {
        Self {
            name: name.into(),
            endpoint: endpoint.into(),
            description: String::new(),
            schema,
            extensions: Vec::new(),
            omitted_extensions: Vec::new(),
        }
    }

    /// Sets the description.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use scim_core::{ResourceType, schema::Schema};
    /// let rt = ResourceType::new("D", "/D", Arc::new(Schema::new("urn:d", "D"))).description("Devices");
    /// assert_eq!(rt.description, "Devices");
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds a schema extension.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use scim_core::{ResourceType, schema::Schema};
    /// let rt = ResourceType::new("D", "/D", Arc::new(Schema::new("urn:d", "D")))
    ///     .extension(Arc::new(Schema::new("urn:d:ext", "Ext")), false);
    /// assert_eq!(rt.extensions.len(), 1);
    /// ```
    #[must_use]
    pub fn extension(mut self, schema: Arc<Schema>, required: bool) -> Self {
        self.extensions.push(SchemaExtension { schema, required });
        self
    }

    /// Finds an extension schema by URN, case-insensitively.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// assert!(user.extension_schema("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER").is_some());
    /// ```
    pub fn extension_schema(&self, urn: &str) -> Option<&Arc<Schema>> {
        self.extensions
            .iter()
            .map(|e| &e.schema)
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// All schemas of this resource type: the core schema first, then each extension.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// assert_eq!(registry.resource_type("User").unwrap().schemas().count(), 2);
    /// ```
    pub fn schemas(&self) -> impl Iterator<Item = &Arc<Schema>> {
        std::iter::once(&self.schema).chain(self.extensions.iter().map(|e| &e.schema))
    }
}
