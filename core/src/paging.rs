//! Page-number paging for the REST lists (JHE's envelope: count, next,
//! previous, results).

use crate::error::{Error, Result};

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i64 = 1000;
pub const DEFAULT_PAGE_SIZE: i64 = 20;

/// Which page a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based; `None` is `page=last`.
    pub number: Option<i64>,
    pub size: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { number: Some(1), size: DEFAULT_PAGE_SIZE }
    }
}

impl PageRequest {
    /// From the `page` and `page_size` parameters: sizes are capped at 1000
    /// and fall back to the default when not a positive number.
    pub fn parse(page: Option<&str>, size: Option<&str>) -> Result<PageRequest> {
        let size = size
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_PAGE_SIZE, |s| s.min(MAX_PAGE_SIZE));
        let number = match page.map(str::trim) {
            None | Some("") => Some(1),
            Some("last") => None,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => return Err(Error::NotFound("Invalid page.".into())),
            },
        };
        Ok(PageRequest { number, size })
    }

    /// The page's number, offset and limit for a list of `count` items;
    /// a page past the end is refused (page 1 of an empty list is fine).
    pub fn resolve(&self, count: i64) -> Result<Resolved> {
        let pages = ((count + self.size - 1) / self.size).max(1);
        let number = self.number.unwrap_or(pages);
        if number > pages {
            return Err(Error::NotFound("Invalid page.".into()));
        }
        Ok(Resolved { number, offset: (number - 1) * self.size, limit: self.size, has_next: number < pages })
    }
}

/// The `page` and `page_size` query parameters (`pageSize` is the same).
#[cfg(feature = "openapi")]
impl utoipa::IntoParams for PageRequest {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Type};
        vec![
            ParameterBuilder::new()
                .name("page")
                .parameter_in(ParameterIn::Query)
                .description(Some("The page: 1 (the default) and up, or `last`."))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some("^([1-9][0-9]*|last)$"))))
                .build(),
            ParameterBuilder::new()
                .name("page_size")
                .parameter_in(ParameterIn::Query)
                .description(Some(format!("Items per page ({DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}).")))
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))))
                .build(),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub number: i64,
    pub offset: i64,
    pub limit: i64,
    pub has_next: bool,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub count: i64,
    pub number: i64,
    pub has_next: bool,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// Pages a list that is already in memory (short catalogues).
    pub fn of(all: Vec<T>, request: &PageRequest) -> Result<Page<T>> {
        let count = all.len() as i64;
        let resolved = request.resolve(count)?;
        let items = all.into_iter().skip(resolved.offset as usize).take(resolved.limit as usize).collect();
        Ok(Page { count, number: resolved.number, has_next: resolved.has_next, items })
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { count: self.count, number: self.number, has_next: self.has_next, items: self.items.into_iter().map(f).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_capped_and_pages_checked() {
        assert_eq!(PageRequest::parse(None, Some("5000")).unwrap().size, 1000);
        assert_eq!(PageRequest::parse(None, Some("abc")).unwrap().size, 20);
        assert!(PageRequest::parse(Some("0"), None).is_err());
        assert!(PageRequest::parse(Some("x"), None).is_err());
        let last = PageRequest::parse(Some("last"), Some("10")).unwrap();
        assert_eq!(last.resolve(25).unwrap(), Resolved { number: 3, offset: 20, limit: 10, has_next: false });
        assert!(PageRequest::parse(Some("4"), Some("10")).unwrap().resolve(25).is_err());
        assert_eq!(PageRequest::default().resolve(0).unwrap().number, 1);
    }
}
