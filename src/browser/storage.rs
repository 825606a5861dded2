//! Web Storage (`sessionStorage` / `localStorage`) reached through the global scope, so the
//! same code runs in a page and in a web worker (where the storage is simply absent).

use crate::discord::Error;
use wasm_bindgen::{JsCast, JsValue};

/// Which Web Storage area to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `sessionStorage`: one tab, survives reloads and the OAuth2 redirect.
    Session,
    /// `localStorage`: every tab of the origin.
    Local,
}

/// A namespaced view over one storage area: every key is prefixed so that two clients (two
/// client ids) on one origin never see each other's entries.
#[derive(Clone, Debug)]
pub struct Store {
    area: Area,
    prefix: String,
}

fn storage_error(what: &str, e: JsValue) -> Error {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| String::from("unknown error"));
    Error::Storage(format!("{what}: {detail}"))
}

impl Store {
    /// A store over `area` whose keys start with `prefix`.
    pub fn new(area: Area, prefix: impl Into<String>) -> Self {
        Store {
            area,
            prefix: prefix.into(),
        }
    }

    /// The underlying `Storage`; absent in workers, throws in some private modes.
    fn storage(&self) -> Result<web_sys::Storage, Error> {
        let global = js_sys::global();
        let name = match self.area {
            Area::Session => "sessionStorage",
            Area::Local => "localStorage",
        };
        // Reading the property can itself throw (SecurityError when storage is disabled).
        let value = js_sys::Reflect::get(&global, &JsValue::from_str(name))
            .map_err(|e| storage_error(name, e))?;
        value
            .dyn_into::<web_sys::Storage>()
            .map_err(|_| Error::Storage(format!("{name} is not available here")))
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{}", self.prefix, key)
    }

    /// Reads a value; a missing key is `Ok(None)`.
    pub fn get(&self, key: &str) -> Result<Option<String>, Error> {
        self.storage()?
            .get_item(&self.key(key))
            .map_err(|e| storage_error("read", e))
    }

    /// Writes a value (quota errors become `storage_error`).
    pub fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        self.storage()?
            .set_item(&self.key(key), value)
            .map_err(|e| storage_error("write", e))
    }

    /// Removes a value; removing a missing key is not an error.
    pub fn remove(&self, key: &str) -> Result<(), Error> {
        self.storage()?
            .remove_item(&self.key(key))
            .map_err(|e| storage_error("remove", e))
    }
}

/// Where a client keeps its TokenSet: `memory` (this page only), `session` or `local`.
#[derive(Debug)]
pub enum TokenStore {
    /// Kept in the page's memory only: gone on reload.
    Memory(std::cell::RefCell<Option<String>>),
    /// A Web Storage area.
    Web(Store),
}

impl TokenStore {
    /// The store a `storage` option names (`"memory"`, `"session"`, `"local"`), its keys
    /// prefixed by `prefix`; `None` for another name.
    pub fn from_name(name: &str, prefix: &str) -> Option<TokenStore> {
        Some(match name {
            "memory" => TokenStore::Memory(Default::default()),
            "session" => TokenStore::Web(Store::new(Area::Session, prefix)),
            "local" => TokenStore::Web(Store::new(Area::Local, prefix)),
            _ => return None,
        })
    }

    /// Whether other tabs of the origin share this store (`localStorage`).
    pub fn is_shared(&self) -> bool {
        matches!(self, TokenStore::Web(s) if s.area == Area::Local)
    }

    /// Reads the entry `key` (the memory store has a single entry).
    pub fn get(&self, key: &str) -> Result<Option<String>, Error> {
        match self {
            TokenStore::Memory(m) => Ok(m.borrow().clone()),
            TokenStore::Web(s) => s.get(key),
        }
    }

    /// Writes (`Some`) or removes (`None`) the entry `key`.
    pub fn put(&self, key: &str, value: Option<&str>) -> Result<(), Error> {
        match (self, value) {
            (TokenStore::Memory(m), v) => {
                *m.borrow_mut() = v.map(str::to_owned);
                Ok(())
            }
            (TokenStore::Web(s), Some(v)) => s.set(key, v),
            (TokenStore::Web(s), None) => s.remove(key),
        }
    }
}
