//! One request on a connection, around the axum app: an oversized head is refused with a
//! SCIM error, the body gets a deadline (`408` with a SCIM error when it passes), and the
//! connection's [`Activity`] learns when the request starts and when its response ends.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use scim_core::ScimError;
use tokio::time::Sleep;
use tower::ServiceExt;

use crate::ConnectionLimits;
use crate::connection::Activity;
use crate::serve::AppService;

/// Header fields a request may carry before it is refused with `431` and a SCIM error.
/// A client sends about ten, and a chain of proxies adds a few more. Past 100, hyper's
/// default `max_headers`, hyper refuses the head itself, with an empty `431`.
pub(crate) const MAX_HEADER_FIELDS: usize = 64;

/// The smallest read buffer hyper accepts.
const HYPER_MIN_BUFFER: usize = 8192;

/// The head size at which hyper gives up (an empty `431` and a closed connection):
/// heads between `max_header_bytes` and this get a SCIM `431` instead. It also bounds
/// hyper's read buffer, so what a half-sent head can make a connection hold.
pub(crate) fn hard_head_limit(max_header_bytes: usize) -> usize {
    max_header_bytes.saturating_mul(4).max(HYPER_MIN_BUFFER)
}

/// One request's context: who sent it, on which connection, within which limits.
pub(crate) struct Exchange {
    /// The client's address, handed to the app as axum's `ConnectInfo` (the adapter turns
    /// it into the engine's `ClientAddr`, which failed authentications are counted by).
    pub(crate) peer: SocketAddr,
    pub(crate) activity: Arc<Activity>,
    pub(crate) limits: Arc<ConnectionLimits>,
}

impl Exchange {
    /// Serves one request through `app`.
    pub(crate) async fn handle(
        self,
        mut request: Request<Incoming>,
        app: impl AppService,
    ) -> Result<Response<Body>, Infallible> {
        let Self {
            peer,
            activity,
            limits,
        } = self;
        activity.request_started(limits.request_timeout);
        let end = ResponseEnd(activity);
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = match head_refusal(&request, limits.max_header_bytes) {
            Some(refusal) => refusal,
            None => {
                // Nothing to wait for (no body, or `Content-Length: 0`): no deadline.
                let timed_out = (!hyper::body::Body::is_end_stream(request.body()))
                    .then(|| Arc::new(AtomicBool::new(false)));
                let request = request.map(|body| match &timed_out {
                    Some(timed_out) => Body::new(DeadlineBody {
                        inner: body,
                        deadline: Box::pin(tokio::time::sleep(limits.body_timeout)),
                        timed_out: Arc::clone(timed_out),
                    }),
                    None => Body::new(body),
                });
                let response = match app.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                // Whatever the app made of a body cut short, the client was too slow.
                if timed_out.is_some_and(|timed_out| timed_out.load(Ordering::Acquire)) {
                    refusal(
                        StatusCode::REQUEST_TIMEOUT,
                        format!(
                            "the request body did not arrive within {:?}",
                            limits.body_timeout
                        ),
                    )
                } else {
                    response
                }
            }
        };
        Ok(response.map(|body| {
            Body::new(TrackedBody {
                inner: body,
                _end: end,
            })
        }))
    }
}

/// A SCIM error response (RFC 7644 §3.12) that also closes the connection: the rest of
/// the request, if any, is not worth reading.
fn refusal(status: StatusCode, detail: String) -> Response<Body> {
    let mut response = ScimError::new(status, None, detail)
        .to_response()
        .map(Body::from);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// `414` or `431` when the head is larger than `max_header_bytes` (request line and header
/// fields, as sent), or has more than [`MAX_HEADER_FIELDS`] fields.
fn head_refusal<B>(request: &Request<B>, max_header_bytes: usize) -> Option<Response<Body>> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(1, |target| target.as_str().len())
        + request.uri().authority().map_or(0, |a| a.as_str().len());
    if target > max_header_bytes {
        return Some(refusal(
            StatusCode::URI_TOO_LONG,
            format!(
                "the request target is {target} bytes; at most {max_header_bytes} are accepted"
            ),
        ));
    }
    let fields = request.headers().len();
    if fields > MAX_HEADER_FIELDS {
        return Some(refusal(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("{fields} header fields; at most {MAX_HEADER_FIELDS} are accepted"),
        ));
    }
    // `METHOD SP target SP HTTP/1.1 CRLF`, `name: value CRLF` per field, `CRLF`.
    let size = request.method().as_str().len()
        + target
        + 12
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>()
        + 2;
    (size > max_header_bytes).then(|| {
        refusal(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the request head is {size} bytes; at most {max_header_bytes} are accepted"),
        )
    })
}

/// The error a body yields when its deadline passes.
#[derive(Debug)]
struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails once its deadline (counted from the end of the head) passes
/// before its last byte: a total deadline, not an idle one, so a body trickled a byte at a
/// time cannot hold the connection either.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl hyper::body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.timed_out.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.timed_out.store(true, Ordering::Release);
                Poll::Ready(Some(Err(Box::new(BodyTimeout))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Tells the connection's [`Activity`] that the response has been produced in full, when
/// hyper drops the body (at its end, or when the connection goes away).
struct ResponseEnd(Arc<Activity>);

impl Drop for ResponseEnd {
    fn drop(&mut self) {
        self.0.response_finished();
    }
}

/// A response body carrying its [`ResponseEnd`].
struct TrackedBody {
    inner: Body,
    _end: ResponseEnd,
}

impl hyper::body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, fields: usize, value_len: usize) -> Request<()> {
        let mut builder = Request::get(target);
        for n in 0..fields {
            builder = builder.header(format!("x-field-{n}"), "v".repeat(value_len));
        }
        builder.body(()).unwrap()
    }

    fn status(request: &Request<()>, max: usize) -> Option<u16> {
        head_refusal(request, max).map(|r| r.status().as_u16())
    }

    #[test]
    fn heads_within_the_limits_pass() {
        assert_eq!(status(&request("/scim/v2/acme/Users", 10, 100), 4096), None);
        assert_eq!(status(&request("/", MAX_HEADER_FIELDS, 1), 16384), None);
    }

    #[test]
    fn a_long_target_is_414_and_a_large_head_431() {
        let long = format!("/scim/v2/acme/Users?filter={}", "a".repeat(5000));
        assert_eq!(status(&request(&long, 0, 0), 4096), Some(414));
        assert_eq!(status(&request("/", 3, 2000), 4096), Some(431));
        assert_eq!(
            status(&request("/", MAX_HEADER_FIELDS + 1, 1), 1 << 20),
            Some(431)
        );
    }

    #[test]
    fn the_head_size_counts_every_byte_sent() {
        // `GET / HTTP/1.1\r\n` (16) + `x-field-0: vvvv\r\n` (17) + `\r\n` (2) = 35 bytes.
        let one_field = request("/", 1, 4);
        assert_eq!(status(&one_field, 35), None);
        assert_eq!(status(&one_field, 34), Some(431));
    }

    #[test]
    fn the_hard_limit_is_four_times_the_soft_one_and_at_least_hypers_minimum() {
        assert_eq!(hard_head_limit(16 * 1024), 64 * 1024);
        assert_eq!(hard_head_limit(100), HYPER_MIN_BUFFER);
        assert_eq!(hard_head_limit(usize::MAX), usize::MAX);
    }
}
