// Placeholder until the dashboard front end (#8) is built into web/dist.
