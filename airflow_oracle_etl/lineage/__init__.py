"""What the provider tells the world about the tables it exports: OpenLineage facets
(:mod:`.openlineage`, with the optional ``openlineage`` extra) and Airflow asset events
(:mod:`.assets`), one per table, whether a table was read alone or in a packed task."""
