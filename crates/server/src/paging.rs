//! Bounded answers: every list the API returns is a window (`offset`,
//! `limit`) with its total and `Link` headers to the neighbouring windows,
//! and every long page is cut into pages by a byte budget, so no response
//! grows with the size of a document or of the archive.

use axum::Json;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use utoipa::IntoParams;

/// The largest `limit` a list accepts.
pub(crate) const MAX_LIMIT: usize = 1000;

/// The header carrying the number of items in the whole list.
pub(crate) const TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

/// The window of a list the caller asks for.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Paging {
    /// Items to skip (default 0).
    pub(crate) offset: Option<usize>,
    /// Items to return (default depends on the list, at most 1000).
    pub(crate) limit: Option<usize>,
}

impl Paging {
    /// The items of a list of `total` to return, with `default` as the
    /// limit when none is given.
    pub(crate) fn range(&self, total: usize, default: usize) -> Range<usize> {
        let limit = self.limit.unwrap_or(default).clamp(1, MAX_LIMIT);
        let start = self.offset.unwrap_or(0).min(total);
        start..start.saturating_add(limit).min(total)
    }

    /// Cuts `items` to the window.
    pub(crate) fn apply<T>(&self, mut items: Vec<T>, default: usize) -> Paged<T> {
        let total = items.len();
        let range = self.range(total, default);
        let limit = self.limit.unwrap_or(default).clamp(1, MAX_LIMIT);
        items.truncate(range.end);
        items.drain(..range.start);
        Paged {
            items,
            offset: range.start,
            limit,
            total,
        }
    }
}

/// One window of a list.
#[derive(Debug, Clone)]
pub(crate) struct Paged<T> {
    /// The items in the window.
    pub(crate) items: Vec<T>,
    /// Where the window starts.
    pub(crate) offset: usize,
    /// Its size.
    pub(crate) limit: usize,
    /// Items in the whole list.
    pub(crate) total: usize,
}

impl<T> Paged<T> {
    /// `X-Total-Count` and a `Link` header (RFC 8288) with `first`, `prev`
    /// and `next` windows of the same request.
    pub(crate) fn headers(&self, uri: &Uri) -> HeaderMap {
        self.headers_for(uri, self.items.len())
    }
}

impl<T> Paged<T> {
    /// [`Paged::headers`] for a window of `count` items held elsewhere.
    pub(crate) fn headers_for(&self, uri: &Uri, count: usize) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(TOTAL_COUNT, HeaderValue::from(self.total));
        let mut links = vec![format!(
            "<{}>; rel=\"first\"",
            window_uri(uri, 0, self.limit)
        )];
        if self.offset > 0 {
            let prev = self.offset.saturating_sub(self.limit);
            links.push(format!(
                "<{}>; rel=\"prev\"",
                window_uri(uri, prev, self.limit)
            ));
        }
        if self.offset + count < self.total {
            let next = self.offset + count;
            links.push(format!(
                "<{}>; rel=\"next\"",
                window_uri(uri, next, self.limit)
            ));
        }
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            h.insert(header::LINK, v);
        }
        h
    }
}

impl<T: Serialize> Paged<T> {
    /// The window as a JSON array with its paging headers.
    pub(crate) fn into_json(self, uri: &Uri) -> Response {
        let headers = self.headers(uri);
        (headers, Json(self.items)).into_response()
    }
}

/// `uri` with its `offset` and `limit` parameters replaced.
fn window_uri(uri: &Uri, offset: usize, limit: usize) -> String {
    let mut pairs: Vec<String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("offset=") && !p.starts_with("limit="))
        .map(str::to_string)
        .collect();
    pairs.push(format!("offset={offset}"));
    pairs.push(format!("limit={limit}"));
    format!("{}?{}", uri.path(), pairs.join("&"))
}

/// Splits items of the given sizes into pages: a page ends before an item
/// that would take it over `budget` bytes, or after `max_items` items;
/// every page holds at least one item, and every item is on one page.
pub(crate) fn budget_pages(
    sizes: impl IntoIterator<Item = usize>,
    budget: usize,
    max_items: usize,
) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let (mut start, mut bytes, mut i) = (0usize, 0usize, 0usize);
    for size in sizes {
        if i > start && (bytes + size > budget || i - start >= max_items) {
            pages.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
        i += 1;
    }
    if i > start || pages.is_empty() {
        pages.push(start..i);
    }
    pages
}

/// The page (0-based) of `pages` holding item `index`.
pub(crate) fn page_of(pages: &[Range<usize>], index: usize) -> usize {
    pages.iter().position(|r| r.contains(&index)).unwrap_or(0)
}

/// `text` cut to at most `max` characters (at a character boundary), and
/// whether it was cut.
pub(crate) fn clip(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((at, _)) => (&text[..at], true),
        None => (text, false),
    }
}

/// Links between the pages of a long page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pager {
    /// 1-based page shown.
    pub(crate) page: usize,
    /// Number of pages.
    pub(crate) pages: usize,
    /// Items before this page (for "items 201–400 of 1000").
    pub(crate) first_item: usize,
    /// Items up to the end of this page.
    pub(crate) last_item: usize,
    /// Items in all.
    pub(crate) total: usize,
    /// Link to the previous page, if any.
    pub(crate) prev: Option<String>,
    /// Link to the next page, if any.
    pub(crate) next: Option<String>,
}

impl Pager {
    /// The pager of page `index` (0-based) of `pages`; `href(n)` links
    /// to 1-based page `n`.
    pub(crate) fn new(
        pages: &[Range<usize>],
        index: usize,
        href: impl Fn(usize) -> String,
    ) -> Pager {
        let total = pages.last().map_or(0, |r| r.end);
        let range = pages.get(index).cloned().unwrap_or(0..0);
        Pager {
            page: index + 1,
            pages: pages.len(),
            first_item: (range.start + 1).min(range.end),
            last_item: range.end,
            total,
            prev: (index > 0).then(|| href(index)),
            next: (index + 1 < pages.len()).then(|| href(index + 2)),
        }
    }

    /// More than one page.
    pub(crate) fn is_paged(&self) -> bool {
        self.pages > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_pages_cover_every_item_once() {
        let pages = budget_pages([5, 5, 5, 20, 1, 1], 10, 100);
        assert_eq!(pages, vec![0..2, 2..3, 3..4, 4..6]);
        assert_eq!(budget_pages([], 10, 10), vec![0..0]);
        assert_eq!(budget_pages([1; 5], 100, 2), vec![0..2, 2..4, 4..5]);
        assert_eq!(page_of(&pages, 3), 2);
    }

    #[test]
    fn windows_clamp_and_link() {
        let p = Paging {
            offset: Some(2),
            limit: Some(2),
        };
        let w = p.apply((0..5).collect::<Vec<_>>(), 10);
        assert_eq!((w.items.clone(), w.total), (vec![2, 3], 5));
        let uri: Uri = "/api/documents?x=1&offset=2&limit=2"
            .parse()
            .unwrap_or_default();
        let h = w.headers(&uri);
        let link = h
            .get(header::LINK)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            link.contains("</api/documents?x=1&offset=4&limit=2>; rel=\"next\""),
            "{link}"
        );
        assert!(link.contains("offset=0&limit=2>; rel=\"prev\""), "{link}");
        let past = Paging {
            offset: Some(99),
            limit: None,
        }
        .apply(vec![1, 2], 10);
        assert!(past.items.is_empty());
    }

    #[test]
    fn clip_cuts_at_characters() {
        assert_eq!(clip("héllo", 2), ("hé", true));
        assert_eq!(clip("hé", 2), ("hé", false));
    }
}
