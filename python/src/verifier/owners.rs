//! The buffers that own an object's memory, for AL902 (the extent must lie inside one) and
//! AL903 (its writability). The cheap places are always looked at: the object's own buffer,
//! its `base` chain, its attributes, the buffers its `__array_interface__` dict holds. When
//! none of those holds the data, the search goes on (`search_owners`) through `__slots__`,
//! the containers the object holds, the getter's closure cells and its module's globals,
//! and what `gc.get_referents` reaches, bounded in depth, objects and time.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use arraylint::verify::checks::OwnerBuffer;
use arraylint::verify::extent::Extent;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyDict, PyFloat, PyInt, PyList, PyMemoryView, PyModule, PyString, PyTuple, PyType,
};

use super::{buffer_extent, interface_view, Verifier};
use crate::buffer::{has_buffer, read_buffer, BufferFacts, BufferRead};
use crate::convert::type_name;

/// How the object's own buffer is described as an owner.
pub(super) const OWN_BUFFER: &str = "the object's own buffer";
/// How far a `base` chain is followed (NumPy collapses chains, so real ones are short).
const MAX_BASE_DEPTH: usize = 32;
/// Attributes of an object scanned for buffer exporters it holds.
const MAX_HELD_ATTRIBUTES: usize = 64;
/// Entries of one container (dict, list, tuple) or one module's globals looked at.
const MAX_CONTAINER_ITEMS: usize = 256;
const MAX_MODULE_GLOBALS: usize = 4096;
/// The `gc.get_referents` walk: steps from the object, objects looked at, time.
const REFERENT_DEPTH: usize = 3;
const MAX_REFERENTS: usize = 4096;
const SEARCH_TIME: Duration = Duration::from_millis(5);

/// Types whose referents lead away from the object's data into the interpreter (a class
/// reaches its module, a function its globals): not walked.
const NOT_WALKED: &[&str] = &[
    "type",
    "module",
    "function",
    "builtin_function_or_method",
    "method",
    "method-wrapper",
    "code",
    "frame",
    "getset_descriptor",
    "member_descriptor",
    "wrapper_descriptor",
    "method_descriptor",
    "classmethod_descriptor",
    "mappingproxy",
];

/// One search for an owner of the memory at `pointer` covering `extent`.
struct Search {
    pointer: u64,
    extent: Extent,
    deadline: Instant,
    seen: HashSet<usize>,
    looked_at: usize,
}

impl Search {
    fn out_of_time(&self) -> bool {
        self.looked_at >= MAX_REFERENTS || Instant::now() >= self.deadline
    }
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Searched {
    /// An owner holding the first element and covering the extent was found.
    Covered,
    /// Everything within the bounds was looked at.
    Exhausted,
    /// The time or object bound was reached first.
    Bounded,
}

impl<'py> Verifier<'py> {
    /// Buffers that may own the memory: the `base` chain and buffer exporters held in the
    /// object's attributes (and their `base` chains).
    pub(super) fn gather_owners(&mut self) {
        self.follow_base_chain(self.obj.clone(), "the object");
        let Ok(attributes) = self.obj.getattr(intern!(self.py, "__dict__")) else {
            return;
        };
        let Ok(attributes) = attributes.downcast_into::<PyDict>() else {
            return;
        };
        for (key, value) in attributes.iter().take(MAX_HELD_ATTRIBUTES) {
            let label = format!("attribute `{key}`");
            if let BufferRead::Exported(facts) = read_buffer(&value) {
                self.add_owner(&label, &facts);
            }
            self.keep_alive.push(value.clone());
            self.follow_base_chain(value, &label);
        }
    }

    /// The buffers an interface dict holds besides `data`: NumPy's scalars keep the 0-d
    /// array that holds their data in the private `__ref` key.
    pub(super) fn owners_in_descriptor(&mut self, descriptor: &Bound<'py, PyAny>, name: &str) {
        let Ok(dict) = descriptor.downcast::<PyDict>() else {
            return;
        };
        for (key, value) in dict.iter().take(MAX_CONTAINER_ITEMS) {
            if key.extract::<String>().is_ok_and(|key| key == "data") {
                continue;
            }
            if let Some((extent, readonly)) = self.owned_memory(&value) {
                self.owners.push(OwnerBuffer {
                    description: format!("the `{key}` entry of `{name}`"),
                    extent,
                    readonly,
                });
                self.keep_alive.push(value);
            }
        }
    }

    fn follow_base_chain(&mut self, start: Bound<'py, PyAny>, label: &str) {
        let mut current = start;
        let mut description = label.to_string();
        for _ in 0..MAX_BASE_DEPTH {
            let Some((link, base)) = self.next_link(&current) else {
                break;
            };
            description = format!("{description}'s `{link}` ({})", type_name(&base));
            if let BufferRead::Exported(facts) = read_buffer(&base) {
                self.add_owner(&description, &facts);
            }
            self.keep_alive.push(base.clone());
            current = base;
        }
    }

    /// The next object down an owner chain: what a `memoryview` views, else the `base`
    /// (not `None`, not the object itself).
    fn next_link(&self, current: &Bound<'py, PyAny>) -> Option<(&'static str, Bound<'py, PyAny>)> {
        self.exporter_of(current).or_else(|| {
            let base = current.getattr(intern!(self.py, "base")).ok()?;
            (!base.is_none() && !base.is(current)).then_some(("base", base))
        })
    }

    /// What a `memoryview` views (its `obj`): a slice held as an attribute leads to the
    /// whole buffer it was cut from.
    fn exporter_of(
        &self,
        current: &Bound<'py, PyAny>,
    ) -> Option<(&'static str, Bound<'py, PyAny>)> {
        if !current.is_instance_of::<PyMemoryView>() {
            return None;
        }
        let exporter = current.getattr(intern!(self.py, "obj")).ok()?;
        (!exporter.is_none() && !exporter.is(current)).then_some(("obj", exporter))
    }

    pub(super) fn add_owner(&mut self, description: &str, facts: &BufferFacts) {
        if let Some(extent) = buffer_extent(facts) {
            self.owners.push(OwnerBuffer {
                description: description.to_string(),
                extent,
                readonly: facts.readonly,
            });
        }
    }

    /// Look further for a buffer that holds `pointer` (the first element of the view that
    /// `protocol` describes) and covers `extent`. Owners that hold the pointer are added
    /// as they are found, so that AL902 can name the buffer the data runs past.
    pub(super) fn search_owners(
        &mut self,
        pointer: u64,
        extent: Extent,
        protocol: &str,
    ) -> Searched {
        let mut search = Search {
            pointer,
            extent,
            deadline: Instant::now() + SEARCH_TIME,
            seen: HashSet::new(),
            looked_at: 0,
        };
        search.seen.insert(self.obj.as_ptr() as usize);
        let candidates = self.slot_values();
        if let Some(done) = self.consider_all(&mut search, candidates) {
            return done;
        }
        let candidates = self.container_entries();
        if let Some(done) = self.consider_all(&mut search, candidates) {
            return done;
        }
        let candidates = self.getter_surroundings(protocol);
        if let Some(done) = self.consider_all(&mut search, candidates) {
            return done;
        }
        self.walk_referents(&mut search)
    }

    fn consider_all(
        &mut self,
        search: &mut Search,
        candidates: Vec<(String, Bound<'py, PyAny>)>,
    ) -> Option<Searched> {
        for (label, candidate) in candidates {
            if let Some(done) = self.consider(search, &candidate, &label) {
                return Some(done);
            }
        }
        None
    }

    /// Whether `candidate` (or its `base` chain) owns the memory. `Some` ends the search.
    fn consider(
        &mut self,
        search: &mut Search,
        candidate: &Bound<'py, PyAny>,
        label: &str,
    ) -> Option<Searched> {
        if search.out_of_time() {
            return Some(Searched::Bounded);
        }
        search.looked_at += 1;
        let mut current = candidate.clone();
        let mut description = label.to_string();
        for _ in 0..MAX_BASE_DEPTH {
            if let Some((extent, readonly)) = self.owned_memory(&current) {
                // The same buffer met again on another path keeps its first, shortest name.
                let known = self.owners.iter().any(|owner| owner.extent == extent);
                if extent.contains_addr(search.pointer) && !known {
                    self.owners.push(OwnerBuffer {
                        description: description.clone(),
                        extent,
                        readonly,
                    });
                    self.keep_alive.push(current.clone());
                    if extent.covers(&search.extent) {
                        return Some(Searched::Covered);
                    }
                }
            }
            // Only objects with a buffer have a `base` worth following (ndarray, memmap);
            // asking others could run an arbitrary `__getattr__`.
            if !has_buffer(&current) {
                break;
            }
            let Some((link, base)) = self.next_link(&current) else {
                break;
            };
            description = format!("{description}'s `{link}` ({})", type_name(&base));
            current = base;
        }
        None
    }

    /// The memory a candidate owns and whether it is read-only: its buffer, or for a NumPy
    /// array that exports none (datetime and object dtypes refuse the buffer protocol) its
    /// `__array_interface__`: NumPy's own arrays are the reference implementation.
    pub(super) fn owned_memory(&self, candidate: &Bound<'py, PyAny>) -> Option<(Extent, bool)> {
        // A slot test first: most objects met in a search export no buffer at all (and an
        // ndarray's type always has the slot, even when its dtype refuses the export).
        if !has_buffer(candidate) {
            return None;
        }
        if let BufferRead::Exported(facts) = read_buffer(candidate) {
            return buffer_extent(&facts).map(|extent| (extent, facts.readonly));
        }
        let ndarray = self
            .py
            .import(intern!(self.py, "sys"))
            .and_then(|sys| sys.getattr(intern!(self.py, "modules")))
            .and_then(|modules| modules.get_item("numpy"))
            .and_then(|numpy| numpy.getattr(intern!(self.py, "ndarray")))
            .ok()?;
        if !candidate.get_type().is(&ndarray) {
            return None;
        }
        let view = interface_view(self.py, candidate, String::new())?;
        Some((view.extent().ok()?, view.readonly.unwrap_or(false)))
    }

    /// The values of the object's `__slots__`, through the whole MRO.
    fn slot_values(&self) -> Vec<(String, Bound<'py, PyAny>)> {
        let mut values = Vec::new();
        for class in self.mro() {
            let Ok(slots) = class
                .getattr(intern!(self.py, "__dict__"))
                .and_then(|dict| dict.get_item("__slots__"))
            else {
                continue;
            };
            let names: Vec<String> = if let Ok(name) = slots.extract::<String>() {
                vec![name]
            } else {
                slots
                    .try_iter()
                    .map(|names| {
                        names
                            .flatten()
                            .filter_map(|name| name.extract::<String>().ok())
                            .take(MAX_CONTAINER_ITEMS)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let class_name = class
                .name()
                .map(|name| name.to_string())
                .unwrap_or_default();
            for name in names {
                // A slot `__x` is stored under its mangled name.
                let attribute = if name.starts_with("__") && !name.ends_with("__") {
                    format!("_{}{name}", class_name.trim_start_matches('_'))
                } else {
                    name.clone()
                };
                if let Ok(value) = self.obj.getattr(attribute.as_str()) {
                    values.push((format!("`__slots__` entry `{name}`"), value));
                }
            }
        }
        values
    }

    /// The entries of the dicts, lists and tuples held in the object's attributes.
    fn container_entries(&self) -> Vec<(String, Bound<'py, PyAny>)> {
        let mut entries = Vec::new();
        let Ok(attributes) = self.obj.getattr(intern!(self.py, "__dict__")) else {
            return entries;
        };
        let Ok(attributes) = attributes.downcast_into::<PyDict>() else {
            return entries;
        };
        for (key, value) in attributes.iter().take(MAX_HELD_ATTRIBUTES) {
            if let Ok(dict) = value.downcast::<PyDict>() {
                for (entry, item) in dict.iter().take(MAX_CONTAINER_ITEMS) {
                    entries.push((format!("entry {entry} of attribute `{key}`"), item));
                }
            } else if let Ok(list) = value.downcast::<PyList>() {
                for (index, item) in list.iter().take(MAX_CONTAINER_ITEMS).enumerate() {
                    entries.push((format!("item {index} of attribute `{key}`"), item));
                }
            } else if let Ok(tuple) = value.downcast::<PyTuple>() {
                for (index, item) in tuple.iter().take(MAX_CONTAINER_ITEMS).enumerate() {
                    entries.push((format!("item {index} of attribute `{key}`"), item));
                }
            }
        }
        entries
    }

    /// The closure cells of the function behind `protocol` (a property's getter, a method)
    /// and the globals of its module (or of the class's module).
    fn getter_surroundings(&self, protocol: &str) -> Vec<(String, Bound<'py, PyAny>)> {
        let mut found = Vec::new();
        let attribute = if protocol.starts_with("`__dlpack__") {
            "__dlpack__"
        } else if protocol.starts_with("__") {
            protocol
        } else {
            return found;
        };
        let mut globals: Option<Bound<'py, PyDict>> = None;
        if let Some(function) = self.function_behind(attribute) {
            let names: Vec<String> = function
                .getattr(intern!(self.py, "__code__"))
                .and_then(|code| code.getattr(intern!(self.py, "co_freevars")))
                .and_then(|names| names.extract())
                .unwrap_or_default();
            if let Ok(cells) = function
                .getattr(intern!(self.py, "__closure__"))
                .and_then(|cells| cells.downcast_into::<PyTuple>().map_err(PyErr::from))
            {
                for (index, cell) in cells.iter().enumerate() {
                    // An empty cell raises ValueError: nothing to look at.
                    if let Ok(value) = cell.getattr(intern!(self.py, "cell_contents")) {
                        let name = names
                            .get(index)
                            .cloned()
                            .unwrap_or_else(|| index.to_string());
                        found.push((
                            format!("closure variable `{name}` of the `{attribute}` getter"),
                            value,
                        ));
                    }
                }
            }
            globals = function
                .getattr(intern!(self.py, "__globals__"))
                .ok()
                .and_then(|globals| globals.downcast_into::<PyDict>().ok());
        }
        if globals.is_none() {
            globals = self.class_module_globals();
        }
        if let Some(globals) = globals {
            for (key, value) in globals.iter().take(MAX_MODULE_GLOBALS) {
                // Only a buffer exporter can own memory (a slot test, no call).
                if has_buffer(&value) {
                    found.push((format!("module global `{key}`"), value));
                }
            }
        }
        found
    }

    /// The plain function behind a class attribute: a property's `fget`, a method, a
    /// static or class method's `__func__`.
    fn function_behind(&self, attribute: &str) -> Option<Bound<'py, PyAny>> {
        for class in self.mro() {
            let Ok(raw) = class
                .getattr(intern!(self.py, "__dict__"))
                .and_then(|dict| dict.get_item(attribute))
            else {
                continue;
            };
            for inner in ["fget", "__func__"] {
                if let Ok(function) = raw.getattr(inner) {
                    return Some(function);
                }
            }
            return Some(raw);
        }
        None
    }

    fn class_module_globals(&self) -> Option<Bound<'py, PyDict>> {
        let module: String = self
            .obj
            .get_type()
            .getattr(intern!(self.py, "__module__"))
            .ok()?
            .extract()
            .ok()?;
        let module = self
            .py
            .import(intern!(self.py, "sys"))
            .ok()?
            .getattr(intern!(self.py, "modules"))
            .ok()?
            .get_item(module)
            .ok()?;
        module
            .downcast_into::<PyModule>()
            .ok()
            .map(|module| module.dict())
    }

    fn mro(&self) -> Vec<Bound<'py, PyType>> {
        self.obj
            .get_type()
            .getattr(intern!(self.py, "__mro__"))
            .and_then(|mro| mro.downcast_into::<PyTuple>().map_err(PyErr::from))
            .map(|mro| {
                mro.iter()
                    .filter_map(|class| class.downcast_into::<PyType>().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Breadth first through `gc.get_referents`, from the object.
    fn walk_referents(&mut self, search: &mut Search) -> Searched {
        let Ok(get_referents) = self
            .py
            .import(intern!(self.py, "gc"))
            .and_then(|gc| gc.getattr(intern!(self.py, "get_referents")))
        else {
            return Searched::Exhausted;
        };
        let mut frontier = vec![self.obj.clone()];
        for depth in 1..=REFERENT_DEPTH {
            let mut next = Vec::new();
            for node in &frontier {
                for referent in self.referents_of(node, &get_referents) {
                    // Every object met counts toward the bounds, walked or not.
                    search.looked_at += 1;
                    if search.out_of_time() {
                        return Searched::Bounded;
                    }
                    if !search.seen.insert(referent.as_ptr() as usize) || !self.walkable(&referent)
                    {
                        continue;
                    }
                    let steps = if depth == 1 { "step" } else { "steps" };
                    let label = format!(
                        "a `{}` the object refers to ({depth} {steps} away)",
                        type_name(&referent)
                    );
                    if let Some(done) = self.consider(search, &referent, &label) {
                        return done;
                    }
                    next.push(referent);
                }
            }
            frontier = next;
        }
        Searched::Exhausted
    }

    /// What `node` refers to. Containers are read directly, their first entries only:
    /// `gc.get_referents` would copy all of a list of millions.
    fn referents_of(
        &self,
        node: &Bound<'py, PyAny>,
        get_referents: &Bound<'py, PyAny>,
    ) -> Vec<Bound<'py, PyAny>> {
        if let Ok(list) = node.downcast::<PyList>() {
            return list.iter().take(MAX_CONTAINER_ITEMS).collect();
        }
        if let Ok(tuple) = node.downcast::<PyTuple>() {
            return tuple.iter().take(MAX_CONTAINER_ITEMS).collect();
        }
        if let Ok(dict) = node.downcast::<PyDict>() {
            return dict
                .iter()
                .take(MAX_CONTAINER_ITEMS)
                .map(|(_, value)| value)
                .collect();
        }
        get_referents
            .call1((node,))
            .and_then(|list| list.downcast_into::<PyList>().map_err(PyErr::from))
            .map(|list| list.iter().take(MAX_CONTAINER_ITEMS).collect())
            .unwrap_or_default()
    }

    fn walkable(&self, object: &Bound<'py, PyAny>) -> bool {
        if object.is_instance_of::<PyString>()
            || object.is_instance_of::<PyInt>()
            || object.is_instance_of::<PyFloat>()
            || object.is_instance_of::<PyType>()
            || object.is_instance_of::<PyModule>()
        {
            return false;
        }
        let kind = type_name(object);
        !NOT_WALKED.contains(&kind.as_str())
    }
}
