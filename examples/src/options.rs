//! The command line of the example server.

use std::fmt;
use std::net::SocketAddr;

use scim_core::SCIM2_SCOPE;

/// What `scim-server --help` prints.
pub const USAGE: &str = "\
scim-server: an example SCIM 2.0 service provider (axum, in-memory store)

USAGE:
    scim-server [OPTIONS]

OPTIONS:
    --listen ADDR                   Address to listen on [default: 127.0.0.1:8080]
    --api-key TENANT:SECRET[:SCOPE[,SCOPE...]]
                                    An API key of a tenant (repeatable); scopes default to SCIM2.
                                    Without any, a tenant `demo` and a fresh key are created.
    --rate-limit-per-minute N       Requests per tenant and minute [default: 200]
    --base-url URL                  The public URL up to the tenant segment, e.g.
                                    https://scim.example.com/scim/v2 [default: http://ADDR/scim/v2]
    -h, --help                      Print this help

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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_keys: Vec::new(),
            rate_limit_per_minute: 200,
            base_url: None,
        }
    }
}

impl Options {
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
                "--rate-limit-per-minute" => {
                    let text = value()?;
                    options.rate_limit_per_minute =
                        text.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                            ParseError::Invalid(format!(
                                "--rate-limit-per-minute {text:?}: expected a positive integer"
                            ))
                        })?;
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
        assert_eq!(o.rate_limit_per_minute, 200);
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
            vec!["--base-url"],
        ] {
            let err = Options::parse(args.clone()).unwrap_err();
            let ParseError::Invalid(why) = err else {
                panic!("{args:?} gave help")
            };
            assert!(why.contains(args[0]), "{args:?}: {why}");
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let key: ApiKeyArg = "acme:hunter2".parse().unwrap();
        assert!(!format!("{key:?}").contains("hunter2"));
    }
}
