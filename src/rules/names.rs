//! Type-name normalization: what is left of a name once the words that describe *which copy*
//! of a concept it is (`Unified`, `Legacy`, `V2` …) are dropped and abbreviations are spelled
//! out (`Ws` → `WebSocket`). Two types whose normalized names are equal are candidates for
//! being one concept; the rules decide from their shapes whether they are.
//!
//! Everything here is data (the consts below) plus small pure functions, so the word lists
//! can be tuned without touching any rule.

/// Words that say how a copy differs from the original, not what it is. Dropped from either
/// end of a name, repeatedly (`LegacyUnifiedSessionImpl` → `Session`). Words that often
/// carry meaning are deliberately absent: `Base`, `Main`, `Real`, `Fixed`, `Core`
/// (`CoreSearchRequest` is the internal form of a `SearchRequest`), `Optimized`
/// (`OptimizedFilter` is what a `Filter` compiles to).
pub const DECORATIONS: &[&str] = &[
    "unified",
    "legacy",
    "simple",
    "simplified",
    "emergency",
    "isolated",
    "enhanced",
    "improved",
    "refactored",
    "experimental",
    "fallback",
    "impl",
    "old",
    "default",
    "basic",
    "temp",
    "tmp",
];

/// Decorations that are only decorations in the *first* position (none so far; kept so a
/// word can be added without touching the algorithm).
pub const PREFIX_DECORATIONS: &[&str] = &[];

/// Decorations only in the *last* position: `WebSocketManagerNew` is a rewrite, but
/// `NewUser` is the conventional "payload that creates a `User`" (diesel, REST), a
/// deliberately different type.
pub const SUFFIX_DECORATIONS: &[&str] = &["new"];

/// Abbreviations and their spelled-out form (lower-case word → CamelCase expansion).
pub const SYNONYMS: &[(&str, &str)] = &[
    ("ws", "WebSocket"),
    ("websocket", "WebSocket"),
    ("conn", "Connection"),
    ("mgr", "Manager"),
    ("msg", "Message"),
    ("sess", "Session"),
    ("cfg", "Config"),
    ("conf", "Config"),
    ("ctx", "Context"),
    ("repo", "Repository"),
    ("db", "Database"),
    ("svc", "Service"),
    ("srv", "Server"),
    ("req", "Request"),
    ("resp", "Response"),
    ("evt", "Event"),
    ("err", "Error"),
    ("addr", "Address"),
    ("usr", "User"),
];

/// Names that by convention exist once per module or crate (`mod a { struct Error }`,
/// `mod b { struct Error }`): the same name there says nothing about being one concept.
/// Compared with the normalized name, lower-cased (so `LegacyConfig` counts as `Config`).
pub const CONVENTIONAL_NAMES: &[&str] = &[
    "error",
    "errorkind",
    "result",
    "config",
    "configuration",
    "settings",
    "builder",
    "inner",
    "state",
    "shared",
    "options",
    "opts",
    "opt",
    "cli",
    "args",
    "arguments",
    "params",
    "request",
    "response",
    "responsefuture",
    "future",
    "context",
    "handle",
    "kind",
    "item",
    "iter",
    "intoiter",
    "input",
    "output",
    "guard",
    "service",
    "layer",
    "body",
    "entry",
    "visitor",
    "metadata",
    "meta",
    "data",
    "info",
    "stats",
    "metrics",
    // clap subcommands and per-query result rows, one per binary or module.
    "command",
    "commands",
    "subcommand",
    "record",
    "row",
    // an ORM entity module (SeaORM): one `Model`, `ActiveModel`, `Entity`, `Column`,
    // `PrimaryKey`, `Relation` per table module
    "model",
    "activemodel",
    "entity",
    "column",
    "primarykey",
    "relation",
    // the halves of a channel and the entry API of a map, one per module that has them
    "sender",
    "receiver",
    "occupiedentry",
    "vacantentry",
];

/// A type name after normalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedName {
    /// Lower-case join of the remaining words; equal keys = same normalized name.
    pub key: String,
    /// CamelCase rendering of the remaining words, for messages (`WebSocketManager`).
    pub display: String,
    /// Version tags that were dropped (`v2`), lower-case: two names carrying *different*
    /// versions are deliberate snapshots (`MessageV1`, `MessageV2`), not copies.
    pub versions: Vec<String>,
    /// Anything was dropped or expanded (`WsManager`, `LegacySession`): the name is a
    /// variation of another, so it should not be the one kept.
    pub decorated: bool,
}

/// Split an identifier into words: CamelCase humps, acronyms (`HTTPServer` → `HTTP`,
/// `Server`), `_` separators. Digits stay with the word before them (`V2`, `Http2`).
pub fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts the next word: `HTTPServer`.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                _ => false,
            };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `v1`, `v2`, `V10`, `v2_1` (lower-case or not).
pub fn is_version_tag(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some('v' | 'V'))
        && word.len() > 1
        && chars.clone().next().is_some_and(|c| c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_digit() || c == '_')
}

/// Normalize a type name. A name made only of decorations (`Default`, `Legacy`) keeps its
/// words: there is nothing else to compare.
pub fn normalize(name: &str) -> NormalizedName {
    let words: Vec<String> = split_words(name);
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let versions: Vec<String> = lower
        .iter()
        .filter(|w| is_version_tag(w))
        .cloned()
        .collect();
    let mut kept: Vec<usize> = (0..words.len())
        .filter(|&i| !lower.get(i).is_some_and(|w| is_version_tag(w)))
        .collect();
    loop {
        let before = kept.len();
        if let Some(&first) = kept.first() {
            let w = lower.get(first).map(String::as_str).unwrap_or("");
            if kept.len() > 1 && (DECORATIONS.contains(&w) || PREFIX_DECORATIONS.contains(&w)) {
                kept.remove(0);
            }
        }
        if let Some(&last) = kept.last() {
            let w = lower.get(last).map(String::as_str).unwrap_or("");
            if kept.len() > 1 && (DECORATIONS.contains(&w) || SUFFIX_DECORATIONS.contains(&w)) {
                kept.pop();
            }
        }
        if kept.len() == before {
            break;
        }
    }
    let is_decoration = |i: &usize| {
        lower.get(*i).is_some_and(|w| {
            DECORATIONS.contains(&w.as_str())
                || PREFIX_DECORATIONS.contains(&w.as_str())
                || SUFFIX_DECORATIONS.contains(&w.as_str())
        })
    };
    if kept.iter().all(is_decoration) {
        // Only version tags and decorations (`Default`, `LegacyImpl`): nothing else to
        // compare, so the name stays as it is.
        kept = (0..words.len())
            .filter(|&i| !lower.get(i).is_some_and(|w| is_version_tag(w)))
            .collect();
        if kept.is_empty() {
            kept = (0..words.len()).collect();
        }
    }
    let mut display = String::new();
    let mut expanded = false;
    for &i in &kept {
        let (Some(word), Some(low)) = (words.get(i), lower.get(i)) else {
            continue;
        };
        match SYNONYMS.iter().find(|(abbr, _)| *abbr == low.as_str()) {
            Some((_, full)) => {
                expanded |= word != full;
                display.push_str(full);
            }
            None => display.push_str(&capitalize(word)),
        }
    }
    NormalizedName {
        key: display.to_lowercase(),
        decorated: kept.len() != words.len() || expanded,
        display,
        versions,
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The name is one that exists once per module by convention (`Error`, `Config` …).
pub fn is_conventional(normalized: &NormalizedName) -> bool {
    CONVENTIONAL_NAMES.contains(&normalized.key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> String {
        normalize(name).key
    }

    #[test]
    fn splits_camel_case_acronyms_digits_and_snake_case() {
        assert_eq!(
            split_words("UnifiedWebSocketManager"),
            ["Unified", "Web", "Socket", "Manager"]
        );
        assert_eq!(split_words("HTTPServer"), ["HTTP", "Server"]);
        assert_eq!(split_words("WsManagerV2"), ["Ws", "Manager", "V2"]);
        assert_eq!(split_words("Http2Client"), ["Http2", "Client"]);
        assert_eq!(split_words("session_store"), ["session", "store"]);
        assert_eq!(split_words("X"), ["X"]);
        assert!(split_words("").is_empty());
    }

    #[test]
    fn decorations_and_synonyms_give_one_key() {
        let canonical = key("WebSocketManager");
        for name in [
            "UnifiedWebSocketManager",
            "LegacyWebSocketManager",
            "EmergencyWebSocketManager",
            "IsolatedWebSocketManager",
            "EnhancedWebSocketManager",
            "SimpleWebSocketManager",
            "WebSocketManagerImpl",
            "WebSocketManagerV2",
            "WsManager",
            "WsMgr",
            "WebsocketManager",
            "LegacyUnifiedWsManagerImplV3",
            "WebSocketManagerNew",
        ] {
            assert_eq!(key(name), canonical, "{name}");
        }
        assert_eq!(normalize("WsManager").display, "WebSocketManager");
        assert_eq!(key("ConnManager"), key("ConnectionManager"));
        assert_eq!(key("LegacySession"), key("Session"));
    }

    #[test]
    fn meaningful_words_are_kept() {
        assert_ne!(key("WebSocketConnectionManager"), key("WebSocketManager"));
        assert_ne!(key("NewUser"), key("User"));
        assert_ne!(key("BaseClient"), key("Client"));
        assert_ne!(key("CoreSearchRequest"), key("SearchRequest"));
        assert_ne!(key("OptimizedFilter"), key("Filter"));
        assert_ne!(key("SessionStore"), key("Session"));
        assert_ne!(key("UserRow"), key("User"));
        // A name made only of decorations stays itself.
        assert_eq!(key("Default"), "default");
        assert_eq!(key("LegacyImpl"), "legacyimpl");
    }

    #[test]
    fn decorated_flag_and_versions() {
        assert!(!normalize("WebSocketManager").decorated);
        assert!(normalize("WsManager").decorated);
        assert!(normalize("LegacySession").decorated);
        assert!(!normalize("Session").decorated);
        assert_eq!(normalize("MessageV2").versions, ["v2"]);
        assert!(normalize("Message").versions.is_empty());
        assert!(is_version_tag("v1"));
        assert!(is_version_tag("V10"));
        assert!(is_version_tag("v2_1"));
        assert!(!is_version_tag("v"));
        assert!(!is_version_tag("vec"));
        assert!(!is_version_tag("ipv4"));
    }

    #[test]
    fn conventional_names_include_decorated_forms() {
        assert!(is_conventional(&normalize("Error")));
        assert!(is_conventional(&normalize("Config")));
        assert!(is_conventional(&normalize("LegacyConfig")));
        assert!(is_conventional(&normalize("ResponseFuture")));
        assert!(is_conventional(&normalize("Sender")));
        assert!(is_conventional(&normalize("ActiveModel")));
        assert!(is_conventional(&normalize("OccupiedEntry")));
        assert!(!is_conventional(&normalize("WebSocketManager")));
        assert!(!is_conventional(&normalize("ChatError")));
    }
}
