"""`reportgen sample`: a deterministic generator of realistic snapshots of the job system.

Import from the modules (`sample.generator`, `sample.writer`, `sample.spec`): the package
itself loads nothing, so the CLI can read the defaults in `spec` without the generator.
"""
