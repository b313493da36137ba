"""Department reports (一部门一报告): static HTML rendered from the published warehouse."""
