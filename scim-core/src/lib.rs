#![doc = include_str!("../../README.md")]

mod auth;
mod config;
mod engine;
mod error;
mod filter;
mod handlers;
mod model;
mod patch;
mod rate_limit;
mod resource;
mod routing;
mod schema;
mod server;
mod store;
mod wire;

pub use auth::{
    API_KEY_PREFIX, ApiKeyError, ApiKeyInfo, ApiKeyStore, Authenticator, NewApiKey, Principal,
    SCIM2_SCOPE,
};
pub use config::{PatchResponse, SERVICE_PROVIDER_CONFIG_SCHEMA, ServerConfig, TenantEndpoints};
pub use error::{ERROR_SCHEMA, SCIM_CONTENT_TYPE, ScimError, ScimType};
pub use filter::{
    AttrPath, CompValue, CompareOp, Filter, FilterOptions, ParseError as FilterParseError,
    PatchPath, PreparedFilter, Visitor,
};
pub use model::{
    Address, Email, EnterpriseUser, Entitlement, Group, GroupRef, Im, Manager, Member, Meta,
    MultiValue, Name, PhoneNumber, Photo, Role, User, X509Certificate,
};
pub use patch::{
    MemberDelta, PATCH_OP_SCHEMA, PatchOpKind, PatchOperation, PatchOptions, PatchRequest,
};
pub use rate_limit::{
    DEFAULT_PER_MINUTE, NoRateLimit, RateLimitDecision, RateLimitKey, RateLimiter,
    TenantRateLimiter,
};
pub use resource::Resource;
pub use schema::attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
pub use schema::builtin::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
pub use schema::definition::{ResourceType, Schema, SchemaExtension};
pub use schema::project::Projection;
pub use schema::registry::{RegistryError, ResolvedAttribute, SchemaRegistry};
pub use schema::render::{RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA};
pub use schema::validate::ValidationOptions;
pub use server::{BuildError, MeResolver, MountPrefix, ScimServer, ScimServerBuilder};
pub use store::memory::{InMemoryStore, InMemoryStoreBuilder, UnknownMembers};
pub use store::{Query, QueryResult, RequestContext, ResourceStore, Sort, SortOrder, StoreError};
