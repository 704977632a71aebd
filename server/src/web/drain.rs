//! Keeps a keep-alive connection usable after a request is answered before
//! its body was read (a CSRF refusal, a missing token, a body over the
//! limit, a throttled client). The answer goes out at once; a rest of known,
//! bounded length is then read and thrown away, so the connection can carry
//! the next request. Any other rest is not waited for: the answer says
//! `Connection: close`, so the client does not reuse the connection.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

/// At most this much of an unread body is read and thrown away.
const DRAIN_BYTES: usize = 1024 * 1024;
/// For at most this long: a client that stops sending loses the connection.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Where a request body that the handler dropped unfinished is handed back.
type Returned = Arc<Mutex<Option<Body>>>;

pub async fn drain_unread_bodies(request: Request, next: Next) -> Response {
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let returned = Returned::default();
    let request = request.map(|body| Body::new(Tracked { body: Some(body), ended: false, returned: returned.clone() }));
    let mut response = next.run(request).await;
    let unread = returned.lock().ok().and_then(|mut slot| slot.take());
    if let Some(body) = unread {
        match body.size_hint().exact() {
            Some(rest) if rest <= DRAIN_BYTES as u64 => {
                tokio::spawn(drain(body));
            }
            _ => {
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
        }
    }
    response
}

/// Reads the rest of `body` while the connection carries it, for a bounded
/// time; dropped unfinished, the connection closes.
async fn drain(body: Body) {
    let mut remaining = http_body_util::Limited::new(body, DRAIN_BYTES);
    let read_all = async {
        while let Some(Ok(_)) = remaining.frame().await {}
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read_all).await;
}

/// A request body that, dropped before its end, hands itself back.
struct Tracked {
    body: Option<Body>,
    ended: bool,
    returned: Returned,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Some(body) = self.body.as_mut() else { return Poll::Ready(None) };
        let polled = Pin::new(body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.ended = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.body.as_ref().map(HttpBody::size_hint).unwrap_or_default()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let unread = self.body.take().filter(|body| !self.ended && !body.is_end_stream());
        if let (Some(body), Ok(mut slot)) = (unread, self.returned.lock()) {
            *slot = Some(body);
        }
    }
}
