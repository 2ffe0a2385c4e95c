//! The registry of schemas and resource types, and attribute path resolution.

use std::sync::Arc;

use super::attribute::Attribute;
use super::builtin;
use super::definition::{ResourceType, Schema, SchemaExtension};

/// Why a schema or resource type could not be registered.
///
/// ```
/// use scim_core::{SchemaRegistry, schema::RegistryError};
/// let mut registry = SchemaRegistry::with_builtins();
/// let err = registry.add_extension("Nope", "urn:x", false).unwrap_err();
/// assert!(matches!(err, RegistryError::UnknownResourceType(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// A schema with that URN is already registered with different content.
    #[error("schema {0} is already registered")]
    DuplicateSchema(String),
    /// A resource type with that name or endpoint is already registered.
    #[error("resource type {0} is already registered")]
    DuplicateResourceType(String),
    /// No schema is registered under that URN.
    #[error("unknown schema {0}")]
    UnknownSchema(String),
    /// No resource type has that name.
    #[error("unknown resource type {0}")]
    UnknownResourceType(String),
    /// The definition is malformed (for instance an endpoint without a leading `/`).
    #[error("invalid definition: {0}")]
    Invalid(String),
}

/// Every schema and resource type the server knows: the built-in User, Group and
/// EnterpriseUser definitions plus whatever the host app registers.
///
/// ```
/// use scim_core::{SchemaRegistry, schema::{Attribute, AttributeType, Schema}};
/// let mut registry = SchemaRegistry::with_builtins();
/// registry.add_schema(Schema::new("urn:acme:scim:schemas:1.0:UserExt", "AcmeUser")
///     .attribute(Attribute::new("badge", AttributeType::String))).unwrap();
/// registry.add_extension("User", "urn:acme:scim:schemas:1.0:UserExt", false).unwrap();
/// let user = registry.resource_type("User").unwrap();
/// assert!(user.resolve_str("urn:acme:scim:schemas:1.0:UserExt:badge").is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct SchemaRegistry {
    schemas: Vec<Arc<Schema>>,
    resource_types: Vec<Arc<ResourceType>>,
}

impl SchemaRegistry {
    /// An empty registry, without even the built-in User and Group.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// assert_eq!(SchemaRegistry::empty().resource_types().count(), 0);
    /// ```
    pub fn empty() -> Self {
        Self::default()
    }

    /// The registry with User (with the EnterpriseUser extension) and Group, as RFC 7643 §4 and §8.7 define them.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let r = SchemaRegistry::with_builtins();
    /// assert_eq!(r.resource_type_for_endpoint("/Users").unwrap().name, "User");
    /// assert_eq!(r.schemas().count(), 3);
    /// ```
    pub fn with_builtins() -> Self {
        let user = Arc::new(builtin::user_schema());
        let group = Arc::new(builtin::group_schema());
        let enterprise = Arc::new(builtin::enterprise_user_schema());
        let user_type = ResourceType::new("User", "/Users", user.clone())
            .description("User Account")
            .extension(enterprise.clone(), false);
        let group_type = ResourceType::new("Group", "/Groups", group.clone()).description("Group");
        Self {
            schemas: vec![user, group, enterprise],
            resource_types: vec![Arc::new(user_type), Arc::new(group_type)],
        }
    }

    /// Registers a schema. Registering the same schema twice is allowed; a different
    /// schema under a URN already taken is an error.
    ///
    /// ```
    /// # use scim_core::{SchemaRegistry, schema::Schema};
    /// let mut r = SchemaRegistry::empty();
    /// r.add_schema(Schema::new("urn:x", "X")).unwrap();
    /// assert!(r.add_schema(Schema::new("urn:x", "Y")).is_err());
    /// ```
    pub fn add_schema(&mut self, schema: Schema) -> Result<Arc<Schema>, RegistryError> {
        if !schema.id.contains(':') {
            return Err(RegistryError::Invalid(format!(
                "schema id {:?} is not a URN",
                schema.id
            )));
        }
        if let Some(existing) = self.schema(&schema.id) {
            return if **existing == schema {
                Ok(existing.clone())
            } else {
                Err(RegistryError::DuplicateSchema(schema.id))
            };
        }
        let schema = Arc::new(schema);
        self.schemas.push(schema.clone());
        Ok(schema)
    }

    /// Registers a resource type whose core schema and extensions are registered (or
    /// get registered now).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use scim_core::{ResourceType, SchemaRegistry, schema::Schema};
    /// let mut r = SchemaRegistry::with_builtins();
    /// let schema = r.add_schema(Schema::new("urn:example:Device", "Device")).unwrap();
    /// r.add_resource_type(ResourceType::new("Device", "/Devices", schema)).unwrap();
    /// assert!(r.resource_type("device").is_some());
    /// ```
    pub fn add_resource_type(
        &mut self,
        resource_type: ResourceType,
    ) -> Result<Arc<ResourceType>, RegistryError> {
        if !resource_type.endpoint.starts_with('/') || resource_type.endpoint.len() < 2 {
            return Err(RegistryError::Invalid(format!(
                "endpoint {:?} must start with '/'",
                resource_type.endpoint
            )));
        }
        if self.resource_type(&resource_type.name).is_some()
            || self
                .resource_type_for_endpoint(&resource_type.endpoint)
                .is_some()
        {
            return Err(RegistryError::DuplicateResourceType(resource_type.name));
        }
        for schema in resource_type.schemas() {
            self.add_schema((**schema).clone())?;
        }
        let rt = Arc::new(resource_type);
        self.resource_types.push(rt.clone());
        Ok(rt)
    }

    /// Attaches a registered schema as an extension of a registered resource type.
    ///
    /// ```
    /// # use scim_core::{SchemaRegistry, schema::Schema};
    /// let mut r = SchemaRegistry::with_builtins();
    /// r.add_schema(Schema::new("urn:acme:ext", "Acme")).unwrap();
    /// r.add_extension("Group", "urn:acme:ext", false).unwrap();
    /// assert_eq!(r.resource_type("Group").unwrap().extensions.len(), 1);
    /// ```
    pub fn add_extension(
        &mut self,
        resource_type: &str,
        schema_urn: &str,
        required: bool,
    ) -> Result<(), RegistryError> {
        let slot = self
            .resource_types
            .iter_mut()
            .find(|rt| rt.name.eq_ignore_ascii_case(resource_type))
            .ok_or_else(|| RegistryError::UnknownResourceType(resource_type.to_owned()))?;
        let schema = self
            .schemas
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(schema_urn))
            .cloned()
            .ok_or_else(|| RegistryError::UnknownSchema(schema_urn.to_owned()))?;
        if slot.extension_schema(schema_urn).is_some() {
            return Ok(());
        }
        Arc::make_mut(slot)
            .extensions
            .push(SchemaExtension { schema, required });
        Ok(())
    }

    /// A schema by URN, case-insensitively.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// assert!(SchemaRegistry::with_builtins().schema("urn:ietf:params:scim:schemas:core:2.0:group").is_some());
    /// ```
    pub fn schema(&self, urn: &str) -> Option<&Arc<Schema>> {
        self.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Every registered schema, in registration order.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// assert!(SchemaRegistry::with_builtins().schemas().any(|s| s.name == "EnterpriseUser"));
    /// ```
    pub fn schemas(&self) -> impl Iterator<Item = &Arc<Schema>> {
        self.schemas.iter()
    }

    /// A resource type by name, case-insensitively.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// assert_eq!(SchemaRegistry::with_builtins().resource_type("group").unwrap().endpoint, "/Groups");
    /// ```
    pub fn resource_type(&self, name: &str) -> Option<&Arc<ResourceType>> {
        self.resource_types
            .iter()
            .find(|rt| rt.name.eq_ignore_ascii_case(name))
    }

    /// A resource type by endpoint (`/Users`), case-insensitively.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// assert_eq!(SchemaRegistry::with_builtins().resource_type_for_endpoint("/users").unwrap().name, "User");
    /// ```
    pub fn resource_type_for_endpoint(&self, endpoint: &str) -> Option<&Arc<ResourceType>> {
        self.resource_types
            .iter()
            .find(|rt| rt.endpoint.eq_ignore_ascii_case(endpoint))
    }

    /// The resource type a path segment names: its endpoint without the leading slash,
    /// matched case-insensitively (what [`resource_type_for_endpoint`](Self::resource_type_for_endpoint)
    /// finds for `/{segment}`, without building that string).
    pub(crate) fn resource_type_at(&self, segment: &str) -> Option<&Arc<ResourceType>> {
        self.resource_types.iter().find(|rt| {
            rt.endpoint
                .strip_prefix('/')
                .is_some_and(|e| e.eq_ignore_ascii_case(segment))
        })
    }

    pub(super) fn schemas_mut(&mut self) -> &mut Vec<Arc<Schema>> {
        &mut self.schemas
    }

    pub(super) fn resource_types_mut(&mut self) -> &mut Vec<Arc<ResourceType>> {
        &mut self.resource_types
    }

    /// Every registered resource type, in registration order.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let names: Vec<_> = SchemaRegistry::with_builtins().resource_types().map(|r| r.name.clone()).collect();
    /// assert_eq!(names, ["User", "Group"]);
    /// ```
    pub fn resource_types(&self) -> impl Iterator<Item = &Arc<ResourceType>> {
        self.resource_types.iter()
    }
}

/// Where an attribute path leads within a resource type: the attribute, its optional
/// sub-attribute, and the extension URN under which it lives (if any).
///
/// ```
/// # use scim_core::SchemaRegistry;
/// let r = SchemaRegistry::with_builtins();
/// let user = r.resource_type("User").unwrap();
/// let m = user.resolve_str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").unwrap();
/// assert_eq!(m.attribute.name, "manager");
/// assert_eq!(m.sub_attribute.unwrap().name, "value");
/// assert_eq!(m.extension, Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
/// let n = user.resolve_str("NAME.GIVENNAME").unwrap();
/// assert_eq!((n.attribute.name.as_str(), n.sub_attribute.unwrap().name.as_str()), ("name", "givenName"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ResolvedAttribute<'a> {
    /// The URN of the extension schema holding the attribute, `None` for the core
    /// schema and the common attributes (`id`, `externalId`, `meta`, `schemas`).
    pub extension: Option<&'a str>,
    /// The top-level attribute.
    pub attribute: &'a Attribute,
    /// The sub-attribute, when the path names one.
    pub sub_attribute: Option<&'a Attribute>,
}

impl<'a> ResolvedAttribute<'a> {
    /// The attribute the path ends at: the sub-attribute if any, else the attribute.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let r = SchemaRegistry::with_builtins();
    /// let a = r.resource_type("User").unwrap().resolve_str("emails.value").unwrap();
    /// assert_eq!(a.target().name, "value");
    /// ```
    pub fn target(&self) -> &'a Attribute {
        self.sub_attribute.unwrap_or(self.attribute)
    }
}
