//! The command line of the example server.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use scim_core::auth::SCIM2_SCOPE;

use crate::{ConnectionLimits, Database, MOUNT};

/// What `scim-server --help` prints.
pub const USAGE: &str = "\
scim-server: an example SCIM 2.0 service provider (axum; SQLite, PostgreSQL or memory)

USAGE:
    scim-server [OPTIONS]

OPTIONS:
    --listen ADDR                   Address to listen on [default: 127.0.0.1:8080]
    --api-key TENANT:SECRET[:SCOPE[,SCOPE...]]
                                    An API key of a tenant (repeatable); scopes default to SCIM2.
                                    Without any, a tenant `demo` and a fresh key are created.
    --database URL                  Where users, groups and keys are kept: memory,
                                    sqlite://PATH (created if missing) or
                                    postgres://USER@HOST:PORT/DB[?schema=NAME]
                                    [default: sqlite://scim-server.db]
    --rate-limit-per-minute N       Requests per tenant and minute [default: 200]
    --redis URL                     Share the rate-limit budgets of several instances through
                                    this Redis (redis://HOST:PORT[/DB]); while it is away, each
                                    instance limits on its own [default: in process only]
    --redis-prefix PREFIX           The prefix of the limiter's Redis keys [default: scim:rl:]
    --base-url URL                  The public URL up to the tenant segment, e.g.
                                    https://scim.example.com/scim/v2 [default: http://ADDR/scim/v2];
                                    `Location` and `meta.location` are built from it, never
                                    from the request's `Host`
    --admin-password SECRET         The password of the admin pages at /admin/; without it one
                                    is generated and printed at start
    --strict                        Every leniency off (ServerConfig::strict()): RFC 7643/7644
                                    to the letter; the README's leniency table says what
                                    Okta and Entra ID send that this refuses
    -h, --help                      Print this help

CONNECTIONS (durations: 500ms, 10s, 2m; a bare number is seconds):
    --max-connections N             Connections served at once; at the cap a new one closes the
                                    longest-idle one, or waits [default: 512]
    --header-timeout DURATION       Time to send a request head [default: 10s]
    --body-timeout DURATION         Time to send a request body, in total (then 408) [default: 30s]
    --request-timeout DURATION      Time for a whole exchange, head received to response
                                    written [default: 60s]
    --keep-alive-timeout DURATION   Time an idle connection is kept [default: 75s]
    --shutdown-timeout DURATION     Time requests in flight get after SIGTERM/Ctrl-C
                                    [default: 10s]
    --max-header-bytes N            Request line and header fields, in bytes (then 414/431)
                                    [default: 16384]

ENVIRONMENT:
    RUST_LOG                        Log filter [default: info]; `debug` logs every request";

/// An API key given on the command line: `TENANT:SECRET[:SCOPE[,SCOPE…]]`.
///
/// ```
/// use scim_examples::ApiKeyArg;
/// let key: ApiKeyArg = "acme:secret:SCIM2,read".parse()?;
/// assert_eq!((key.tenant.as_str(), key.secret.as_str()), ("acme", "secret"));
/// assert_eq!(key.scopes, ["SCIM2", "read"]);
/// assert_eq!("acme:secret".parse::<ApiKeyArg>()?.scopes, ["SCIM2"]);
/// # Ok::<(), scim_examples::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeyArg {
    /// The tenant the key acts for.
    pub tenant: String,
    /// The bearer token.
    pub secret: String,
    /// The scopes; `SCIM2` when none are given.
    pub scopes: Vec<String>,
}

impl fmt::Debug for ApiKeyArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep the secret out of logs.
        f.debug_struct("ApiKeyArg")
            .field("tenant", &self.tenant)
            .field("secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl std::str::FromStr for ApiKeyArg {
    type Err = ParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |why: &str| {
            ParseError::Invalid(format!(
                "--api-key {value:?}: {why} (expected TENANT:SECRET[:SCOPE[,SCOPE...]])"
            ))
        };
        let mut fields = value.splitn(3, ':');
        let tenant = fields.next().unwrap_or_default();
        let secret = fields.next().ok_or_else(|| invalid("no secret"))?;
        if tenant.is_empty() || tenant.contains('/') {
            return Err(invalid("the tenant must be a non-empty path segment"));
        }
        if secret.is_empty() {
            return Err(invalid("the secret is empty"));
        }
        let scopes: Vec<String> = match fields.next() {
            Some(list) => list
                .split(',')
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect(),
            None => vec![SCIM2_SCOPE.to_owned()],
        };
        if scopes.is_empty() {
            return Err(invalid("the scope list is empty"));
        }
        Ok(Self {
            tenant: tenant.to_owned(),
            secret: secret.to_owned(),
            scopes,
        })
    }
}

/// The example server's settings.
///
/// ```
/// use scim_examples::Options;
/// let options = Options::parse(["--listen", "127.0.0.1:9000", "--api-key", "acme:secret"])?;
/// assert_eq!(options.listen.port(), 9000);
/// assert_eq!(options.rate_limit_per_minute, 200);
/// assert_eq!(options.api_keys[0].tenant, "acme");
/// # Ok::<(), scim_examples::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The keys to install; none means "create a demo tenant and key".
    pub api_keys: Vec<ApiKeyArg>,
    /// Requests per tenant and minute.
    pub rate_limit_per_minute: u32,
    /// The public URL up to the tenant segment, when not `http://{listen}/scim/v2`.
    pub base_url: Option<String>,
    /// Every leniency off (`ServerConfig::strict()`).
    pub strict: bool,
    /// Timeouts, the connection cap and head limits of the HTTP server.
    pub limits: ConnectionLimits,
    /// Where the data is kept (`--database`).
    pub database: Database,
    /// The Redis that shares rate-limit budgets between instances (`--redis`).
    pub redis: Option<String>,
    /// The prefix of the rate limiter's Redis keys (`--redis-prefix`).
    pub redis_prefix: String,
    /// The admin pages' password; `None`: one is generated at start.
    pub admin_password: Option<crate::AdminPassword>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_keys: Vec::new(),
            rate_limit_per_minute: 200,
            base_url: None,
            strict: false,
            limits: ConnectionLimits::default(),
            database: Database::default(),
            redis: None,
            redis_prefix: scim_redis::DEFAULT_PREFIX.to_owned(),
            admin_password: None,
        }
    }
}

impl Options {
    /// The public URL up to the tenant segment: `--base-url`, or `http://{listen}/scim/v2`.
    /// Responses build `Location` and `meta.location` from it, so a request's `Host`
    /// header never reaches them.
    ///
    /// ```
    /// use scim_examples::Options;
    /// let o = Options::parse(["--listen", "0.0.0.0:9000"])?;
    /// assert_eq!(o.base_url(), "http://0.0.0.0:9000/scim/v2");
    /// let o = Options::parse(["--base-url", "https://scim.example.com/scim/v2"])?;
    /// assert_eq!(o.base_url(), "https://scim.example.com/scim/v2");
    /// # Ok::<(), scim_examples::ParseError>(())
    /// ```
    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}{MOUNT}", self.listen))
    }

    /// Parses the arguments after the program name; `--flag value` and `--flag=value`
    /// are both accepted.
    ///
    /// ```
    /// use scim_examples::{Options, ParseError};
    /// assert_eq!(Options::parse(["--help"]), Err(ParseError::Help));
    /// assert!(matches!(Options::parse(["--listen"]), Err(ParseError::Invalid(_))));
    /// let o = Options::parse(["--rate-limit-per-minute=5", "--base-url", "https://x/scim/v2/"])?;
    /// assert_eq!((o.rate_limit_per_minute, o.base_url.as_deref()), (5, Some("https://x/scim/v2")));
    /// # Ok::<(), ParseError>(())
    /// ```
    pub fn parse<I, S>(args: I) -> Result<Self, ParseError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut options = Self::default();
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                return Err(ParseError::Help);
            }
            if arg == "--strict" {
                options.strict = true;
                continue;
            }
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| ParseError::Invalid(format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--listen" => {
                    let text = value()?;
                    options.listen = text.parse().map_err(|_| {
                        ParseError::Invalid(format!("--listen {text:?}: expected IP:PORT"))
                    })?;
                }
                "--api-key" => options.api_keys.push(value()?.parse()?),
                "--database" => options.database = value()?.parse()?,
                "--rate-limit-per-minute" => {
                    options.rate_limit_per_minute = positive(&flag, &value()?)?;
                }
                "--max-connections" => options.limits.max_connections = positive(&flag, &value()?)?,
                "--max-header-bytes" => {
                    options.limits.max_header_bytes = positive(&flag, &value()?)?;
                }
                "--header-timeout" => options.limits.header_timeout = duration(&flag, &value()?)?,
                "--body-timeout" => options.limits.body_timeout = duration(&flag, &value()?)?,
                "--request-timeout" => {
                    options.limits.request_timeout = duration(&flag, &value()?)?;
                }
                "--keep-alive-timeout" => {
                    options.limits.keep_alive_timeout = duration(&flag, &value()?)?;
                }
                "--shutdown-timeout" => {
                    options.limits.shutdown_timeout = duration(&flag, &value()?)?;
                }
                "--redis" => options.redis = Some(redis_url(&value()?)?),
                "--redis-prefix" => options.redis_prefix = value()?,
                "--admin-password" => {
                    let text = value()?;
                    if text.is_empty() {
                        return Err(ParseError::Invalid("--admin-password is empty".into()));
                    }
                    options.admin_password = Some(crate::AdminPassword::new(text));
                }
                "--base-url" => {
                    let text = value()?;
                    if !(text.starts_with("http://") || text.starts_with("https://")) {
                        return Err(ParseError::Invalid(format!(
                            "--base-url {text:?}: expected an http:// or https:// URL"
                        )));
                    }
                    options.base_url = Some(text.trim_end_matches('/').to_owned());
                }
                other => {
                    return Err(ParseError::Invalid(format!("unknown argument {other:?}")));
                }
            }
        }
        Ok(options)
    }
}

/// A `--redis` URL: `redis://` or `unix://`. `rediss://` is refused here, with the reason,
/// rather than at the first connection: the server is built without Redis TLS support
/// (terminate TLS in a local proxy such as stunnel, or keep Redis on a private network).
fn redis_url(text: &str) -> Result<String, ParseError> {
    if text.starts_with("rediss://") {
        return Err(ParseError::Invalid(format!(
            "--redis {text:?}: this server speaks Redis without TLS; reach a TLS Redis \
             through a local TLS proxy and give its redis:// address"
        )));
    }
    if ["redis://", "unix://"]
        .iter()
        .any(|scheme| text.starts_with(scheme))
    {
        Ok(text.to_owned())
    } else {
        Err(ParseError::Invalid(format!(
            "--redis {text:?}: expected a redis://HOST[:PORT][/DB] or unix:///PATH URL"
        )))
    }
}

/// A positive integer value of `flag`.
fn positive<N>(flag: &str, text: &str) -> Result<N, ParseError>
where
    N: std::str::FromStr + Default + PartialOrd,
{
    text.parse()
        .ok()
        .filter(|n| *n > N::default())
        .ok_or_else(|| ParseError::Invalid(format!("{flag} {text:?}: expected a positive integer")))
}

/// A positive duration value of `flag`: `500ms`, `10s`, `2m`, or a bare number of seconds.
fn duration(flag: &str, text: &str) -> Result<Duration, ParseError> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let per_unit = match unit {
        "ms" => Duration::from_millis(1),
        "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        _ => Duration::ZERO,
    };
    number
        .parse::<u32>()
        .ok()
        .and_then(|n| per_unit.checked_mul(n))
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            ParseError::Invalid(format!(
                "{flag} {text:?}: expected a positive duration such as 500ms, 10s or 2m"
            ))
        })
}

/// Why the command line was not accepted.
///
/// ```
/// use scim_examples::{Options, ParseError};
/// let err = Options::parse(["--bogus"]).unwrap_err();
/// assert_eq!(err.to_string(), "unknown argument \"--bogus\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// `--help` was asked for.
    Help,
    /// An argument is unknown, lacks a value or has a bad one.
    Invalid(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Help => f.write_str(USAGE),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_repeat_and_keep_their_scopes() {
        let o = Options::parse(["--api-key", "acme:s1", "--api-key=globex:s2:read,SCIM2"]).unwrap();
        assert_eq!(o.api_keys.len(), 2);
        assert_eq!(o.api_keys[1].tenant, "globex");
        assert_eq!(o.api_keys[1].secret, "s2");
        assert_eq!(o.api_keys[1].scopes, ["read", "SCIM2"]);
    }

    #[test]
    fn defaults_match_the_documentation() {
        let o = Options::parse(Vec::<String>::new()).unwrap();
        assert_eq!(o.listen.to_string(), "127.0.0.1:8080");
        assert!(o.api_keys.is_empty() && o.base_url.is_none());
        assert_eq!(o.base_url(), "http://127.0.0.1:8080/scim/v2");
        assert_eq!(o.limits, ConnectionLimits::default());
        assert_eq!(o.rate_limit_per_minute, 200);
        assert_eq!(o.database.to_string(), "sqlite://scim-server.db");
        assert!(USAGE.contains("[default: sqlite://scim-server.db]"));
    }

    #[test]
    fn bad_values_are_rejected_with_the_flag_named() {
        for args in [
            vec!["--api-key", "acme"],
            vec!["--api-key", ":secret"],
            vec!["--api-key", "acme:"],
            vec!["--api-key", "acme:s:"],
            vec!["--api-key", "a/b:s"],
            vec!["--listen", "localhost"],
            vec!["--rate-limit-per-minute", "0"],
            vec!["--rate-limit-per-minute", "-3"],
            vec!["--base-url", "example.com"],
            vec!["--redis", "127.0.0.1:6379"],
            vec!["--redis"],
            vec!["--base-url"],
            vec!["--admin-password", ""],
            vec!["--max-connections", "0"],
            vec!["--max-header-bytes", "many"],
            vec!["--header-timeout", "0s"],
            vec!["--body-timeout", "10h"],
            vec!["--keep-alive-timeout", "-1"],
            vec!["--request-timeout", "1.5s"],
            vec!["--shutdown-timeout", ""],
            vec!["--database", "mysql://db/scim"],
            vec!["--database"],
        ] {
            let err = Options::parse(args.clone()).unwrap_err();
            let ParseError::Invalid(why) = err else {
                panic!("{args:?} gave help")
            };
            assert!(why.contains(args[0]), "{args:?}: {why}");
        }
    }

    #[test]
    fn a_redis_url_needs_a_scheme_the_client_speaks() {
        for url in ["redis://10.0.0.5:6379/1", "unix:///run/redis.sock"] {
            assert_eq!(
                Options::parse(["--redis", url]).unwrap().redis.as_deref(),
                Some(url)
            );
        }
        let tls = Options::parse(["--redis", "rediss://cache:6380"]).unwrap_err();
        assert!(tls.to_string().contains("TLS"), "{tls}");
        let bare = Options::parse(["--redis", "cache:6379"]).unwrap_err();
        assert!(bare.to_string().contains("redis://"), "{bare}");
    }

    #[test]
    fn redis_is_off_unless_given() {
        let o = Options::parse(Vec::<String>::new()).unwrap();
        assert_eq!(
            (o.redis.as_deref(), o.redis_prefix.as_str()),
            (None, "scim:rl:")
        );
        let o =
            Options::parse(["--redis=redis://127.0.0.1:6380/2", "--redis-prefix", "eu:"]).unwrap();
        assert_eq!(o.redis.as_deref(), Some("redis://127.0.0.1:6380/2"));
        assert_eq!(o.redis_prefix, "eu:");
    }

    #[test]
    fn strict_is_a_switch() {
        assert!(!Options::parse(Vec::<String>::new()).unwrap().strict);
        let o = Options::parse(["--strict", "--listen", "127.0.0.1:9000"]).unwrap();
        assert!(o.strict);
        assert_eq!(o.listen.port(), 9000);
    }

    #[test]
    fn durations_take_a_unit_or_mean_seconds() {
        for (text, expected) in [
            ("250ms", Duration::from_millis(250)),
            ("10s", Duration::from_secs(10)),
            ("2m", Duration::from_secs(120)),
            ("7", Duration::from_secs(7)),
        ] {
            assert_eq!(duration("--flag", text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn connection_flags_set_the_limits() {
        let o = Options::parse([
            "--max-connections=8",
            "--header-timeout=1s",
            "--body-timeout=2s",
            "--request-timeout=3s",
            "--keep-alive-timeout=4s",
            "--shutdown-timeout=5s",
            "--max-header-bytes=4096",
        ])
        .unwrap();
        let expected = ConnectionLimits {
            max_connections: 8,
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(3),
            keep_alive_timeout: Duration::from_secs(4),
            shutdown_timeout: Duration::from_secs(5),
            max_header_bytes: 4096,
        };
        assert_eq!(o.limits, expected);
    }

    #[test]
    fn the_usage_text_states_the_default_limits() {
        let d = ConnectionLimits::default();
        for (flag, default) in [
            ("--max-connections", d.max_connections.to_string()),
            ("--header-timeout", format!("{:?}", d.header_timeout)),
            ("--body-timeout", format!("{:?}", d.body_timeout)),
            ("--request-timeout", format!("{:?}", d.request_timeout)),
            (
                "--keep-alive-timeout",
                format!("{:?}", d.keep_alive_timeout),
            ),
            ("--shutdown-timeout", format!("{:?}", d.shutdown_timeout)),
            ("--max-header-bytes", d.max_header_bytes.to_string()),
        ] {
            let (_, text) = USAGE.split_once(flag).unwrap();
            let text = text.split("\n    -").next().unwrap();
            assert!(
                text.contains(&format!("[default: {default}]")),
                "{flag}: {text}"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let key: ApiKeyArg = "acme:hunter2".parse().unwrap();
        assert!(!format!("{key:?}").contains("hunter2"));
    }
}
