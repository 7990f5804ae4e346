pub(crate) fn cases() -> Vec<harness_core::rules::CaseResult> {
    Vec::new()
}
