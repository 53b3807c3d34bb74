"""A Web Connector simulator: a zeep SOAP client playing QBWC's calls against our WSDL, and a simulated QuickBooks
company file answering qbXML. It shares only the wire with the service (import-linter keeps it apart)."""
