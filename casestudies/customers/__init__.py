"""The whole customer, next to ``Customer``: its relationship signals and
whether now is a good time to ask (:mod:`.readiness`), the CRM import that
brings customers in with their signals (:mod:`.crm`), and the ledger of every
ask we make of a customer so nobody is over-used (:mod:`.asks`)."""
