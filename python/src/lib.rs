//! `arraylint_native._native`: the live verifier, run inside the producer's own interpreter (a
//! pointer means something only in the process that made it). Only glue lives here: facts
//! are read from Python objects and handed to `arraylint::verify` and
//! `arraylint::descriptor`, which hold the logic.

mod buffer;
mod convert;
mod cuda;
mod verifier;

use pyo3::prelude::*;

/// Verify one object; returns the findings as a JSON array (the shape of
/// `arraylint::verify::report::LiveFinding`). `select` and `ignore` are rule selectors
/// (`AL9`, `AL907`, `ALL`), resolved as one level of a configuration file is.
#[pyfunction]
#[pyo3(signature = (obj, name, select=None, ignore=Vec::new()))]
fn verify_json(
    obj: Bound<'_, PyAny>,
    name: String,
    select: Option<Vec<String>>,
    ignore: Vec<String>,
) -> PyResult<String> {
    let rules = arraylint::settings::select_rules(select.as_deref(), &ignore)
        .map_err(|error| pyo3::exceptions::PyValueError::new_err(error.to_string()))?;
    let findings = verifier::Verifier::new(obj, name, rules).run();
    serde_json::to_string(&findings)
        .map_err(|error| pyo3::exceptions::PyRuntimeError::new_err(error.to_string()))
}

/// Whether a CUDA driver with a device is usable here; the reason when not.
#[pyfunction]
fn cuda_status() -> (bool, String) {
    match cuda::driver_ready() {
        Ok(()) => (true, String::new()),
        Err(reason) => (false, reason),
    }
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(verify_json, module)?)?;
    module.add_function(wrap_pyfunction!(cuda_status, module)?)?;
    module.add("REPORT_VERSION", arraylint::verify::report::REPORT_VERSION)?;
    Ok(())
}
