#![doc = include_str!("../../README.md")]

mod auth;
mod config;
mod engine;
mod error;
mod filter;
mod patch;
mod rate_limit;
mod resource;
mod schema;
mod server;
mod store;

pub use auth::{
    API_KEY_PREFIX, ApiKeyError, ApiKeyInfo, ApiKeyStore, Authenticator, NewApiKey, Principal,
    SCIM2_SCOPE,
};
pub use config::{PatchResponse, ServerConfig, TenantEndpoints};
pub use error::{ERROR_SCHEMA, SCIM_CONTENT_TYPE, ScimError, ScimType};
pub use filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
pub use patch::{MemberDelta, PATCH_OP_SCHEMA, PatchOpKind, PatchOperation, PatchRequest};
pub use rate_limit::{
    DEFAULT_PER_MINUTE, NoRateLimit, RateLimitDecision, RateLimitKey, RateLimiter,
    TenantRateLimiter,
};
pub use resource::Resource;
pub use schema::attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
pub use schema::builtin::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
pub use schema::definition::{ResourceType, Schema, SchemaExtension};
pub use schema::registry::{RegistryError, ResolvedAttribute, SchemaRegistry};
pub use server::{BuildError, MeResolver, MountPrefix, ScimServer, ScimServerBuilder};
pub use store::{Query, QueryResult, RequestContext, ResourceStore, Sort, SortOrder, StoreError};
