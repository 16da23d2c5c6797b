import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { ARRAY_DELIMITER, cypherName, cypherString, relationshipType, renderNeo4j } from "../../src/Renderer/Neo4j.js"
import { adversarialGraphs } from "../support/Adversarial.js"

/** What the files must say for a string: control characters other than tab, LF and CR become U+FFFD. */
const visible = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")

describe("renderNeo4j on adversarial names", () => {
  const { graph } = adversarialGraphs()
  const files = renderNeo4j(graph)
  const nodes: Array<Record<string, string>> = parse(files.nodes, { columns: true, relax_quotes: false })
  const rels: Array<Record<string, string>> = parse(files.relationships, { columns: true, relax_quotes: false })
  const array = (s: string) => (s === "" ? [] : s.split(ARRAY_DELIMITER))

  it("writes RFC 4180 CSV with neo4j-admin's header format that reads back exactly", () => {
    expect(Object.keys(nodes[0]!)).toEqual([
      "id:ID",
      ":LABEL",
      "label",
      "type",
      "aliases:string[]",
      "description",
      "mentionCount:int",
      "mentionStart:int[]",
      "mentionEnd:int[]"
    ])
    expect(nodes).toHaveLength(graph.entities.length)
    nodes.forEach((row, i) => {
      const e = graph.entities[i]!
      expect(row["id:ID"]).toBe(e.id)
      expect(row.label).toBe(visible(e.label))
      expect(array(row["aliases:string[]"]!)).toEqual(e.aliases.map(visible))
      expect(array(row["mentionStart:int[]"]!).map(Number)).toEqual(e.mentions.map((m) => m.span.start))
      expect(Number(row["mentionCount:int"])).toBe(e.mentions.length)
      const labels = array(row[":LABEL"]!)
      expect(labels[0]).toBe("Entity")
      expect(labels.slice(1)).toEqual(e.type.trim() === "" ? [] : [visible(e.type)])
    })
    const ids = new Set(nodes.map((n) => n["id:ID"]))
    expect(ids.size).toBe(nodes.length)
    expect(rels).toHaveLength(graph.relations.length)
    rels.forEach((row, i) => {
      const r = graph.relations[i]!
      expect(ids.has(row[":START_ID"]!) && ids.has(row[":END_ID"]!)).toBe(true)
      expect(row[":TYPE"]).toBe(relationshipType(r.predicate))
      expect(row[":TYPE"]).not.toBe("")
      expect(row.predicate).toBe(visible(r.predicate))
      expect(array(row["evidence:string[]"]!)).toEqual(r.evidence.map((ev) => visible(ev.span.text)))
    })
  })

  it("keeps the array delimiter out of every value", () => {
    const longest = nodes.find((n) => n.label!.includes("\u001f") || n.label!.includes("\ufffd\ufffd\u007f"))
    expect(longest?.label).toBe("\ufffd\ufffd\u007f ctl")
  })

  it("writes a load.cypher with one statement per label and relationship type", () => {
    expect(files.cypher).toContain(
      "CREATE CONSTRAINT extract_entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;"
    )
    expect(files.cypher).toContain("LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row")
    expect(files.cypher).toContain("split(row.`aliases:string[]`, '\\u001f')")
    expect(files.cypher).toContain(
      "MATCH (e:Entity) WHERE e.type = 'Other Type/With Slash' SET e:`Other Type/With Slash`;"
    )
    expect(files.cypher).toContain("MERGE (s)-[r:`LIVES_IN` {id: row.id}]->(o)")
    const merges = files.cypher.split("\n").filter((l) => l.startsWith("MERGE (s)-["))
    expect(merges).toHaveLength(new Set(graph.relations.map((r) => relationshipType(r.predicate))).size)
    // every statement ends with ;
    expect(files.cypher.trim().endsWith(";")).toBe(true)
  })
})

describe("Neo4j names", () => {
  it("turns predicates into UPPER_SNAKE_CASE relationship types, never empty", () => {
    expect(relationshipType("worksFor")).toBe("WORKS_FOR")
    expect(relationshipType("born in")).toBe("BORN_IN")
    expect(relationshipType("HTTPServer")).toBe("HTTP_SERVER")
    expect(relationshipType("述語")).toBe("述語")
    expect(relationshipType("")).toBe("RELATED_TO")
    expect(relationshipType("--> |")).toBe("RELATED_TO")
  })

  it("escapes Cypher strings and names", () => {
    expect(cypherString("O'Brien \\ \"x\"\n\u0001")).toBe(
      "'O\\'Brien \\\\ \"x\"\\n\\ufffd'".replace("\\ufffd", "\ufffd")
    )
    expect(cypherName("a`b")).toBe("`a``b`")
  })
})
