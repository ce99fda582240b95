"""Bringing a company's history from its former software: clients, intervenants, the year's invoices
and payments, from the CSV files a French software exports (« ; » between columns, decimal comma,
dates JJ/MM/AAAA). Each file is read (``reading``), each line checked with the domain's rules
(``clients``, ``intervenants``, ``invoices``, ``payments``), and the handler
(``ogust.application.handlers.imports``) writes all of it in one transaction, or nothing."""
