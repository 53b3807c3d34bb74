"""inBuild Accounting Integrations: QuickBooks connection lifecycle, the Intuit emulator, and the pages around them."""
