#![doc = include_str!("../../README.md")]

mod auth;
mod error;
mod filter;
mod patch;
mod resource;
mod schema;
mod store;

pub use auth::{Principal, SCIM2_SCOPE};
pub use error::{ERROR_SCHEMA, SCIM_CONTENT_TYPE, ScimError, ScimType};
pub use filter::{
    AttrPath, CompValue, CompareOp, Filter, FilterOptions, ParseError as FilterParseError,
    PatchPath, Visitor,
};
pub use patch::{
    MemberDelta, PATCH_OP_SCHEMA, PatchOpKind, PatchOperation, PatchOptions, PatchRequest,
};
pub use resource::Resource;
pub use schema::attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
pub use schema::builtin::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
pub use schema::definition::{ResourceType, Schema, SchemaExtension};
pub use schema::registry::{RegistryError, ResolvedAttribute, SchemaRegistry};
pub use schema::validate::ValidationOptions;
pub use store::memory::{InMemoryStore, InMemoryStoreBuilder, UnknownMembers};
pub use store::{Query, QueryResult, RequestContext, ResourceStore, Sort, SortOrder, StoreError};
