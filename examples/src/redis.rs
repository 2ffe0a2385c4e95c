//! The example server's rate limiter: in process, or shared through Redis (`--redis`)
//! when several instances serve the same tenants.

use scim_core::ScimServerBuilder;
use scim_redis::RedisRateLimiter;

use crate::{BuildError, Options};

/// Puts the rate limiter of `options` on `builder`: a [`RedisRateLimiter`] on
/// `--redis` (keys under `--redis-prefix`, failure policy
/// [`Local`](scim_redis::FailurePolicy::Local): each instance limits on its own while
/// Redis is away), else the in-process limiter. The budget is `--rate-limit-per-minute`
/// either way. Nothing is sent to Redis here.
///
/// ```
/// use scim_examples::{Options, build};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let options = Options::parse(["--redis", "redis://127.0.0.1:6379", "--rate-limit-per-minute", "60"])?;
/// let (server, _) = build(&options).await?;
/// assert_eq!(server.tenant_rate_limit("demo"), Some(60));
/// # Ok(())
/// # }
/// ```
pub fn rate_limiter(
    builder: ScimServerBuilder,
    options: &Options,
) -> Result<ScimServerBuilder, BuildError> {
    let Some(url) = &options.redis else {
        return Ok(builder.rate_limit_per_minute(options.rate_limit_per_minute));
    };
    let limiter = RedisRateLimiter::builder(url)
        .map_err(|e| BuildError::Redis(e.to_string()))?
        .per_minute(options.rate_limit_per_minute)
        .prefix(options.redis_prefix.clone())
        .build();
    Ok(builder.rate_limiter(limiter))
}

/// Whether the Redis at `url` answers, for the start-up log: `Err` says why not (the
/// server starts all the same and limits on its own until Redis answers).
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// if let Err(why) = scim_examples::redis::ping("redis://127.0.0.1:6379").await {
///     eprintln!("Redis: {why}");
/// }
/// # }
/// ```
pub async fn ping(url: &str) -> Result<(), String> {
    let limiter = RedisRateLimiter::builder(url)
        .map_err(|e| e.to_string())?
        .build();
    limiter.ping().await.map_err(|e| e.to_string())
}
