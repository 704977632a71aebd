//! Who is on the other end of a request: the client's address, and whether it
//! reached this site over https and under which host name. Behind a reverse
//! proxy these come from `X-Forwarded-*` headers, which are believed only
//! when the connection comes from a proxy the operator named as trusted.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Clone, Debug)]
pub struct Client {
    pub address: IpAddr,
    pub https: bool,
    /// The host (and port) the client addressed.
    pub host: Option<String>,
}

/// The operator's proxy settings.
#[derive(Clone, Debug)]
pub struct Proxies {
    trusted: Arc<[IpAddr]>,
    /// Whether the configured site URL is https: then every client is.
    site_https: bool,
}

impl Proxies {
    pub fn new(trusted: &[IpAddr], site_url: &str) -> Self {
        Proxies { trusted: trusted.into(), site_https: site_url.starts_with("https://") }
    }

    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> Client {
        let host = first_value(headers, header::HOST.as_str());
        if !self.trusted.contains(&peer) {
            return Client { address: peer, https: self.site_https, host };
        }
        // Each proxy appends the address it received from; the client is the
        // last one that is not itself a trusted proxy.
        let forwarded_for: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|entry| entry.trim().parse().ok())
            .collect();
        let address = forwarded_for.iter().rev().find(|ip| !self.trusted.contains(ip)).copied().unwrap_or(peer);
        let https = match first_value(headers, "x-forwarded-proto") {
            Some(proto) => proto.eq_ignore_ascii_case("https"),
            None => self.site_https,
        };
        Client { address, https, host: first_value(headers, "x-forwarded-host").or(host) }
    }
}

fn first_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(value.split(',').next()?.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Works out the [`Client`] for every request (handlers and the console's
/// server functions read it from the request's extensions), and marks
/// cookies `Secure` when the client is on https.
pub async fn identify(State(proxies): State<Proxies>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| address.ip());
    let client = proxies.client(peer, request.headers());
    let https = client.https;
    request.extensions_mut().insert(app::ClientAddress(client.address));
    request.extensions_mut().insert(client);
    let mut response = next.run(request).await;
    if https {
        mark_cookies_secure(response.headers_mut());
    }
    response
}

fn mark_cookies_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let text = cookie.to_str().unwrap_or_default();
        let secure = text.split(';').any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"));
        let value = if secure { cookie } else { HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie) };
        headers.append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let proxies = Proxies::new(&[proxy], "http://jhe.internal");
        let forwarded = headers(&[
            ("host", "jhe.internal:8000"),
            ("x-forwarded-for", "203.0.113.9, 198.51.100.7"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "jhe.example.org"),
        ]);
        let via_proxy = proxies.client(proxy, &forwarded);
        assert_eq!(via_proxy.address, "198.51.100.7".parse::<IpAddr>().unwrap(), "the hop the proxy saw");
        assert!(via_proxy.https);
        assert_eq!(via_proxy.host.as_deref(), Some("jhe.example.org"));

        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        let direct = proxies.client(stranger, &forwarded);
        assert_eq!(direct.address, stranger, "anyone can write X-Forwarded-For");
        assert!(!direct.https);
        assert_eq!(direct.host.as_deref(), Some("jhe.internal:8000"));
    }

    #[test]
    fn secure_is_added_once() {
        let mut map = headers(&[("set-cookie", "a=1; HttpOnly"), ("set-cookie", "b=2; Secure")]);
        mark_cookies_secure(&mut map);
        let cookies: Vec<&str> = map.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(cookies, ["a=1; HttpOnly; Secure", "b=2; Secure"]);
    }
}
