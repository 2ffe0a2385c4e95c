#![doc = include_str!("../README.md")]

mod bucket;
mod failure;
mod limiter;

pub use failure::FailurePolicy;
pub use limiter::{
    DEFAULT_PREFIX, DEFAULT_PROBE_INTERVAL, DEFAULT_TIMEOUT, RedisRateLimiter,
    RedisRateLimiterBuilder,
};
/// The `redis` crate this one is built on, for its error type and client settings.
pub use redis;
