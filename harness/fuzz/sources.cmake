# harness/fuzz: the network fuzzer (`wsspec fuzz`): mutants of cases, the RFC
# oracle, findings. Explicit source list.
target_sources(wsspec_core PRIVATE
)
