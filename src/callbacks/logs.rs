//! Logs: the named values a callback receives, in Keras' order.

/// The values of an epoch or a batch by name (`loss`, `accuracy`,
/// `val_loss`, ..., and `learning_rate` once a learning-rate callback has
/// added it), in the order they were added, as Keras' `logs` dict.
///
/// ```
/// use kerust::callbacks::Logs;
/// let mut logs = Logs::from([("loss", 0.5), ("val_loss", 0.7)]);
/// logs.insert("learning_rate", 0.001);
/// assert_eq!(logs.get("val_loss"), Some(0.7));
/// assert_eq!(logs.keys().collect::<Vec<_>>(), ["loss", "val_loss", "learning_rate"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logs(pub(crate) Vec<(String, f32)>);

impl Logs {
    /// No values.
    pub fn new() -> Self {
        Logs::default()
    }
    /// The value of `name`, if logged.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.0.iter().find(|(k, _)| k == name).map(|e| e.1)
    }
    /// Sets `name` to `value`: in place when present, else at the end.
    pub fn insert(&mut self, name: &str, value: f32) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(e) => e.1 = value,
            None => self.0.push((name.to_string(), value)),
        }
    }
    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
    /// `(name, value)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f32)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }
    /// How many values.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Appends `name` (the loop's own values, already unique).
    pub(crate) fn push(&mut self, name: String, value: f32) {
        self.0.push((name, value));
    }
    /// Appends `other` with `prefix` before each name (`val_`).
    pub(crate) fn extend_prefixed(&mut self, prefix: &str, other: &Logs) {
        for (n, v) in other.iter() {
            self.push(format!("{prefix}{n}"), v);
        }
    }
    /// Keras' "Available metrics are: loss,val_loss" list.
    pub(crate) fn names(&self) -> String {
        self.keys().collect::<Vec<_>>().join(",")
    }
}

impl<const N: usize> From<[(&str, f32); N]> for Logs {
    fn from(pairs: [(&str, f32); N]) -> Self {
        Logs::from(&pairs[..])
    }
}

impl From<&[(&str, f32)]> for Logs {
    fn from(pairs: &[(&str, f32)]) -> Self {
        let mut logs = Logs::new();
        for (k, v) in pairs {
            logs.insert(k, *v);
        }
        logs
    }
}
