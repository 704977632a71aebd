//! The organization and study pickers remember their last choice per user,
//! in the browser's local storage, so the console opens where they left it.

use leptos::prelude::*;

use crate::auth::SignedInUser;

/// A picker's remembered value for the signed-in user.
#[derive(Clone, Copy)]
pub struct Remembered {
    picker: &'static str,
    user: Resource<Result<Option<SignedInUser>, ServerFnError>>,
}

impl Remembered {
    pub fn new(picker: &'static str, user: Resource<Result<Option<SignedInUser>, ServerFnError>>) -> Self {
        Remembered { picker, user }
    }

    fn key(&self) -> Option<String> {
        let user = self.user.get_untracked()?.ok()??;
        Some(format!("jhe.{}.{}", user.id, self.picker))
    }

    /// The last value chosen, if any (always `None` on the server).
    pub fn recall(&self) -> Option<i64> {
        let key = self.key()?;
        #[cfg(feature = "hydrate")]
        {
            let storage = window().local_storage().ok()??;
            storage.get_item(&key).ok()??.parse().ok()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = key;
            None
        }
    }

    pub fn store(&self, value: Option<i64>) {
        let Some(key) = self.key() else { return };
        #[cfg(feature = "hydrate")]
        if let Ok(Some(storage)) = window().local_storage() {
            // Storage may be full or disabled; the choice is then simply not kept.
            let _ = match value {
                Some(id) => storage.set_item(&key, &id.to_string()),
                None => storage.remove_item(&key),
            };
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (key, value);
    }
}

/// Keeps a page's organization and study pickers remembered: when the page
/// opens without a choice in its URL, `reopen` gets the remembered pair;
/// every later choice is stored.
pub fn remember_pickers(
    chosen: Memo<(Option<i64>, Option<i64>)>,
    url_has_choice: impl Fn() -> bool + Send + Sync + 'static,
    reopen: Callback<(Option<i64>, Option<i64>)>,
) {
    let user = Resource::new(|| (), |_| crate::auth::current_user());
    let (organization, study) = (Remembered::new("organization", user), Remembered::new("study", user));
    Effect::new(move |_| {
        if user.get().is_none() || url_has_choice() {
            return;
        }
        let remembered = (organization.recall(), study.recall());
        if remembered != (None, None) {
            reopen.run(remembered);
        }
    });
    Effect::new(move |_| {
        let (chosen_organization, chosen_study) = chosen.get();
        if user.get().is_some() {
            organization.store(chosen_organization);
            study.store(chosen_study);
        }
    });
}
