//! Schemas as data: attribute characteristics, schemas, resource types, the registry,
//! the built-in User/Group/EnterpriseUser definitions and the checks they drive.

pub(crate) mod attribute;
pub(crate) mod builtin;
pub(crate) mod coerce;
pub(crate) mod definition;
pub(crate) mod message;
pub(crate) mod narrow;
pub(crate) mod registry;
pub(crate) mod render;
pub(crate) mod validate;

pub use attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
pub use builtin::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
pub use definition::{ResourceType, Schema, SchemaExtension};
pub use registry::{RegistryError, ResolvedAttribute, SchemaRegistry};
pub use render::{RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA};
pub use validate::ValidationOptions;
