// extract doc-136ab318a3e2: 7 entities, 5 relations.
// Copy nodes.csv and relationships.csv into Neo4j's import directory, then run
//   cypher-shell -u neo4j -p <password> -f load.cypher
// (or paste it into Neo4j Browser). Running it twice changes nothing: nodes and relationships are MERGEd by id.

CREATE CONSTRAINT extract_entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;

LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row
MERGE (e:Entity {id: row.`id:ID`})
SET e.label = row.label,
    e.type = row.type,
    e.aliases = CASE WHEN coalesce(row.`aliases:string[]`, '') = '' THEN [] ELSE split(row.`aliases:string[]`, '\u001f') END,
    e.description = CASE WHEN row.description = '' THEN null ELSE row.description END,
    e.mentionCount = toInteger(row.`mentionCount:int`),
    e.mentionStart = [x IN CASE WHEN coalesce(row.`mentionStart:int[]`, '') = '' THEN [] ELSE split(row.`mentionStart:int[]`, '\u001f') END | toInteger(x)],
    e.mentionEnd = [x IN CASE WHEN coalesce(row.`mentionEnd:int[]`, '') = '' THEN [] ELSE split(row.`mentionEnd:int[]`, '\u001f') END | toInteger(x)];

MATCH (e:Entity) WHERE e.type = 'Date' SET e:`Date`;
MATCH (e:Entity) WHERE e.type = 'Location' SET e:`Location`;
MATCH (e:Entity) WHERE e.type = 'Organization' SET e:`Organization`;
MATCH (e:Entity) WHERE e.type = 'Other' SET e:`Other`;
MATCH (e:Entity) WHERE e.type = 'Person' SET e:`Person`;

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'BORN_IN'
MATCH (s:Entity {id: row.`:START_ID`}), (o:Entity {id: row.`:END_ID`})
MERGE (s)-[r:`BORN_IN` {id: row.id}]->(o)
SET r.predicate = row.predicate,
    r.evidenceCount = toInteger(row.`evidenceCount:int`),
    r.evidenceStart = [x IN CASE WHEN coalesce(row.`evidenceStart:int[]`, '') = '' THEN [] ELSE split(row.`evidenceStart:int[]`, '\u001f') END | toInteger(x)],
    r.evidenceEnd = [x IN CASE WHEN coalesce(row.`evidenceEnd:int[]`, '') = '' THEN [] ELSE split(row.`evidenceEnd:int[]`, '\u001f') END | toInteger(x)],
    r.evidence = CASE WHEN coalesce(row.`evidence:string[]`, '') = '' THEN [] ELSE split(row.`evidence:string[]`, '\u001f') END;

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'BOUGHT'
MATCH (s:Entity {id: row.`:START_ID`}), (o:Entity {id: row.`:END_ID`})
MERGE (s)-[r:`BOUGHT` {id: row.id}]->(o)
SET r.predicate = row.predicate,
    r.evidenceCount = toInteger(row.`evidenceCount:int`),
    r.evidenceStart = [x IN CASE WHEN coalesce(row.`evidenceStart:int[]`, '') = '' THEN [] ELSE split(row.`evidenceStart:int[]`, '\u001f') END | toInteger(x)],
    r.evidenceEnd = [x IN CASE WHEN coalesce(row.`evidenceEnd:int[]`, '') = '' THEN [] ELSE split(row.`evidenceEnd:int[]`, '\u001f') END | toInteger(x)],
    r.evidence = CASE WHEN coalesce(row.`evidence:string[]`, '') = '' THEN [] ELSE split(row.`evidence:string[]`, '\u001f') END;

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'FAR_FROM'
MATCH (s:Entity {id: row.`:START_ID`}), (o:Entity {id: row.`:END_ID`})
MERGE (s)-[r:`FAR_FROM` {id: row.id}]->(o)
SET r.predicate = row.predicate,
    r.evidenceCount = toInteger(row.`evidenceCount:int`),
    r.evidenceStart = [x IN CASE WHEN coalesce(row.`evidenceStart:int[]`, '') = '' THEN [] ELSE split(row.`evidenceStart:int[]`, '\u001f') END | toInteger(x)],
    r.evidenceEnd = [x IN CASE WHEN coalesce(row.`evidenceEnd:int[]`, '') = '' THEN [] ELSE split(row.`evidenceEnd:int[]`, '\u001f') END | toInteger(x)],
    r.evidence = CASE WHEN coalesce(row.`evidence:string[]`, '') = '' THEN [] ELSE split(row.`evidence:string[]`, '\u001f') END;

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'WORKS_WITH'
MATCH (s:Entity {id: row.`:START_ID`}), (o:Entity {id: row.`:END_ID`})
MERGE (s)-[r:`WORKS_WITH` {id: row.id}]->(o)
SET r.predicate = row.predicate,
    r.evidenceCount = toInteger(row.`evidenceCount:int`),
    r.evidenceStart = [x IN CASE WHEN coalesce(row.`evidenceStart:int[]`, '') = '' THEN [] ELSE split(row.`evidenceStart:int[]`, '\u001f') END | toInteger(x)],
    r.evidenceEnd = [x IN CASE WHEN coalesce(row.`evidenceEnd:int[]`, '') = '' THEN [] ELSE split(row.`evidenceEnd:int[]`, '\u001f') END | toInteger(x)],
    r.evidence = CASE WHEN coalesce(row.`evidence:string[]`, '') = '' THEN [] ELSE split(row.`evidence:string[]`, '\u001f') END;

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'WROTE_ABOUT'
MATCH (s:Entity {id: row.`:START_ID`}), (o:Entity {id: row.`:END_ID`})
MERGE (s)-[r:`WROTE_ABOUT` {id: row.id}]->(o)
SET r.predicate = row.predicate,
    r.evidenceCount = toInteger(row.`evidenceCount:int`),
    r.evidenceStart = [x IN CASE WHEN coalesce(row.`evidenceStart:int[]`, '') = '' THEN [] ELSE split(row.`evidenceStart:int[]`, '\u001f') END | toInteger(x)],
    r.evidenceEnd = [x IN CASE WHEN coalesce(row.`evidenceEnd:int[]`, '') = '' THEN [] ELSE split(row.`evidenceEnd:int[]`, '\u001f') END | toInteger(x)],
    r.evidence = CASE WHEN coalesce(row.`evidence:string[]`, '') = '' THEN [] ELSE split(row.`evidence:string[]`, '\u001f') END;
