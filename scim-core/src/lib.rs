#![doc = include_str!("../README.md")]

pub mod auth;
pub mod config;
mod engine;
pub mod error;
pub mod filter;
mod handlers;
mod hash_map;
mod json_map;
pub mod model;
pub mod password;
pub mod patch;
pub mod rate_limit;
mod resource;
mod routing;
pub mod schema;
mod server;
pub mod store;
pub mod tenant;
mod wire;

/// Re-exported for store and authenticator authors: the traits of this crate are
/// `#[async_trait]` traits.
pub use async_trait::async_trait;

pub use auth::{ApiKeyStore, Authenticator, MeResolver, Principal};
pub use config::ServerConfig;
pub use error::ScimError;
pub use filter::Filter;
pub use password::PasswordHasher;
pub use patch::PatchRequest;
pub use rate_limit::{RateLimiter, TenantRateLimiter};
pub use resource::Resource;
pub use schema::{ResourceType, SchemaRegistry};
pub use server::{BuildError, ScimServer, ScimServerBuilder};
pub use store::{InMemoryStore, Query, QueryResult, RequestContext, ResourceStore, StoreError};
pub use wire::strict_json::check_strict_json;
pub use wire::{ClientAddr, MountPrefix};
