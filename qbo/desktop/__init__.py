"""QuickBooks Desktop through the QuickBooks Web Connector: the link, the SOAP service's logic and the qbXML."""
