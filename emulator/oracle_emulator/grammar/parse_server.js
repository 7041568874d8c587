// The Oracle emulator's grammar gate: parses statements with the grammars-v4 Oracle PL/SQL
// grammar (as generated for the antlr4ts runtime in the antlr4ts-sql package) and says
// whether each one parses, or where it stops.
//
// Protocol: one JSON object a line on stdin, {"id": N, "sql": "..."}; one JSON line back per
// request, in order: {"id": N, "ok": true} or {"id": N, "ok": false, "error": {...}}, where
// the error is the first syntax error the parser met:
//   line, column        where ANTLR reported it (1-based line, 0-based column)
//   offset              the offending token's character offset in the statement (0-based)
//   token, type         its text and symbolic type ("<EOF>" / "EOF" at the end)
//   furthest            {offset, token, type} of the furthest token any prediction reached
//   expected            the token types the parser could have taken there (symbolic names)
//   rules               the rule stack, innermost first
//   message             ANTLR's own message
//   lexical             true when the lexer, not the parser, refused a character
//   kind                "semicolon", "trailing", "empty", "not_sql" for the statement rules
//   parens              '(' minus ')' in the statement; first: its first word
// Each answer also carries "ms", the parse time. A first line {"ready": true, "load_ms": N}
// says the grammar is loaded.
//
// One statement is parsed as Oracle's server parses what a client sends: exactly one
// unit_statement (SQL statement or PL/SQL block), then the end of the text (see
// oneStatementScript and statementRules).
"use strict";

const started = process.hrtime.bigint();
const readline = require("readline");
const { ANTLRInputStream, BailErrorStrategy, CommonTokenStream, Token } = require("antlr4ts");
const { PredictionMode } = require("antlr4ts/atn/PredictionMode");
const { PlSqlLexer } = require("antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlLexer");
const { PlSqlParser } = require("antlr4ts-sql/dist/src/grammar-output/plsql/PlSqlParser");
const { CaseChangingStream } = require("antlr4ts-sql/dist/src/models/CaseChangingStream");

// The script rule is ((unit_statement | sql_plus_command) ';'?)* EOF: statements may follow
// one another without a separator, so "FROM a JOIN b USING (id)" parses as two statements
// ("... FROM a JOIN" with JOIN as an alias, then "b USING (id)"), and ANTLR, given two
// parses, takes that one. Oracle's server parses one statement: the loop's back edge is cut
// here, once, before any parse, so that whatever follows a statement can only be ';' and
// the end. The generated code may still ask for a second statement (the gate refuses it).
function oneStatementScript() {
  const atn = PlSqlParser._ATN;
  const states = atn.states.filter((s) => s && s.ruleIndex === PlSqlParser.RULE_sql_script);
  const loopEnd = states.find((s) => s.constructor.name === "LoopEndState");
  const loopBack = states.find((s) => s.constructor.name === "StarLoopbackState");
  let cut = 0;
  for (const state of states) {
    for (let i = 0; i < state.numberOfTransitions; i++) {
      const transition = state.transition(i);
      if (transition.target === loopBack && transition.isEpsilon) {
        transition.target = loopEnd;
        cut += 1;
      }
    }
  }
  if (!loopEnd || !loopBack || cut !== 1) throw new Error("unexpected sql_script rule in the grammar");
}
oneStatementScript();

class FirstError extends Error {
  constructor(record) {
    super(record.message);
    this.record = record;
  }
}

function tokenName(type) {
  if (type === Token.EOF) return "EOF";
  return PlSqlParser.VOCABULARY.getSymbolicName(type) || PlSqlParser.VOCABULARY.getDisplayName(type);
}

function expectedNames(parser, exception) {
  let set = null;
  try {
    set = exception && exception.expectedTokens ? exception.expectedTokens : parser.getExpectedTokens();
  } catch (_err) {
    set = null;
  }
  if (!set) return [];
  const names = [];
  for (const type of set.toArray()) names.push(tokenName(type));
  return names;
}

// Stops at the first error: Oracle reports one, and recovery would only cost time.
const parserListener = {
  syntaxError(recognizer, offending, line, column, message, exception) {
    const token = offending || null;
    throw new FirstError({
      tokenObject: token,
      line,
      column,
      offset: null,
      token: null,
      type: token ? tokenName(token.type) : null,
      expected: expectedNames(recognizer, exception),
      rules: recognizer.getRuleInvocationStack(),
      message,
      lexical: false,
      trailing: false,
    });
  },
};

const lexerListener = {
  syntaxError(recognizer, _offending, line, column, message) {
    throw new FirstError({
      line,
      column,
      offset: recognizer._tokenStartCharIndex,
      token: null,
      type: null,
      expected: [],
      rules: [],
      message,
      lexical: true,
      trailing: false,
    });
  },
};

function tokenText(sql, token) {
  if (!token || token.type === Token.EOF) return "<EOF>";
  return sql.substring(token.startIndex, token.stopIndex + 1);
}

function refusal(sql, token, fields) {
  return {
    ok: false,
    error: Object.assign(
      {
        line: token.line,
        column: token.charPositionInLine,
        offset: token.type === Token.EOF ? sql.length : token.startIndex,
        token: tokenText(sql, token),
        type: tokenName(token.type),
        expected: [],
        rules: ["sql_script"],
        lexical: false,
        trailing: false,
      },
      fields,
    ),
  };
}

// Statements that end in a PL/SQL block: the block's own ';' belongs to the statement.
const PLSQL_START = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*(BEGIN|DECLARE|CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:NON)?EDITIONABLE\s+)?(?:PROCEDURE|FUNCTION|PACKAGE|TRIGGER|TYPE))\b/i;

function lastToken(tokens) {
  tokens.fill();
  let last = null;
  for (const token of tokens.getTokens()) {
    if (token.type !== Token.EOF && token.channel === Token.DEFAULT_CHANNEL) last = token;
  }
  return last;
}

function describeToken(sql, tokens, index) {
  const token = tokens.get(Math.min(index, tokens.size - 1));
  const eof = token.type === Token.EOF || token.startIndex >= sql.length;
  return {
    offset: eof ? sql.length : token.startIndex,
    token: eof ? "<EOF>" : tokenText(sql, token),
    type: eof ? "EOF" : tokenName(token.type),
  };
}

// The script rule, ((unit_statement | sql_plus_command) ';'?)* EOF, is the grammar's only
// rule that ends at EOF, and parsing must end there: started from unit_statement, ANTLR's
// prediction would stop the statement at the first token it cannot take (leaving "WHERE (a = 1"
// unread instead of reporting the missing parenthesis). What the script rule allows beyond
// one statement is refused afterwards, from its children.
//
// This grammar writes the closing ';' into several statement rules (CREATE TABLE, GRANT...),
// as scripts have it; Oracle's server takes a SQL statement without it and refuses it with
// it (ORA-00911). So a SQL statement is parsed with a ';' added, and one the client ended
// with ';' is refused once it parses. A PL/SQL block keeps its own END ';', as Oracle wants.
function parse(sql) {
  const plsql = PLSQL_START.test(sql);
  const last = plsql ? null : lastToken(new CommonTokenStream(quietLexer(sql)));
  const ended = last !== null && last.type === PlSqlParser.SEMICOLON;
  const text = plsql || ended ? sql : sql + "\n;";
  const lexer = new PlSqlLexer(new CaseChangingStream(new ANTLRInputStream(text), true));
  lexer.removeErrorListeners();
  lexer.addErrorListener(lexerListener);
  const tokens = new CommonTokenStream(lexer);
  try {
    tokens.fill();
  } catch (err) {
    if (err instanceof FirstError) return { ok: false, error: lexical(sql, tokens, err.record) };
    throw err;
  }
  // Two stages, as ANTLR advises for speed: SLL prediction, which ignores the calling
  // context and is much cheaper, decides most statements; what it parses is valid (SLL
  // gives up too early at times, it never accepts too much). Only when it fails does the
  // full LL parse run, for the right answer and the error's details.
  let script = parseSll(tokens);
  if (script !== null && !oneStatement(script)) script = null; // LL decides: it may find one
  if (script === null) {
    tokens.seek(0);
    const outcome = parseLl(sql, tokens);
    if (outcome.error) return { ok: false, error: outcome.error };
    script = outcome.script;
  }
  return statementRules(sql, tokens, script, ended ? last : null);
}

function oneStatement(script) {
  const statements = (script.children || []).filter((c) => c.ruleContext);
  return statements.length === 1 && statements[0].ruleIndex === PlSqlParser.RULE_unit_statement;
}

function parseSll(tokens) {
  const parser = new PlSqlParser(tokens);
  parser.removeErrorListeners();
  parser.errorHandler = new BailErrorStrategy();
  parser.interpreter.setPredictionMode(PredictionMode.SLL);
  try {
    return parser.sql_script();
  } catch (_err) {
    return null;
  }
}

function parseLl(sql, tokens) {
  const parser = new PlSqlParser(tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(parserListener);
  // Where prediction gave up furthest: ANTLR reports an error inside an optional clause at
  // the clause's first token (it takes the exit branch when every branch dies), the mapping
  // wants the token where the statement really stopped making sense.
  let furthest = -1;
  const simulator = parser.interpreter;
  const handle = simulator.handleNoViableAlt.bind(simulator);
  simulator.handleNoViableAlt = (input, startIndex, previous) => {
    furthest = Math.max(furthest, input.index);
    return handle(input, startIndex, previous);
  };
  try {
    return { script: parser.sql_script() };
  } catch (err) {
    if (!(err instanceof FirstError)) throw err;
    const record = err.record;
    const token = record.tokenObject;
    delete record.tokenObject;
    Object.assign(record, describeToken(sql, tokens, token.tokenIndex));
    record.furthest = describeToken(sql, tokens, Math.max(furthest, token.tokenIndex));
    record.parens = parenDepth(tokens, sql.length);
    record.first = firstWord(tokens);
    return { error: record };
  }
}

function lexical(sql, tokens, record) {
  delete record.tokenObject;
  record.token = sql.charAt(record.offset);
  record.parens = 0;
  record.first = firstWord(new CommonTokenStream(quietLexer(sql)));
  return record;
}

// What the script rule allows beyond one SQL statement, refused.
function statementRules(sql, tokens, script, semicolon) {
  const statements = (script.children || []).filter((c) => c.ruleContext);
  const first = statements[0];
  const extra = { parens: parenDepth(tokens, sql.length), first: firstWord(tokens), expected: [], rules: ["sql_script"] };
  if (!first) {
    return refusal(sql, tokens.get(0), Object.assign(extra, { kind: "empty", message: "no statement" }));
  }
  if (first.ruleIndex !== PlSqlParser.RULE_unit_statement) {
    return refusal(sql, first.start, Object.assign(extra, { kind: "not_sql", message: "a SQL*Plus command, not SQL" }));
  }
  if (statements.length > 1) {
    const token = statements[1].start;
    return refusal(sql, token, Object.assign(extra, { kind: "trailing", trailing: true, message: "a second statement" }));
  }
  if (semicolon) {
    return refusal(sql, semicolon, Object.assign(extra, { kind: "semicolon", message: "';' after a SQL statement" }));
  }
  return { ok: true };
}

function quietLexer(sql) {
  const lexer = new PlSqlLexer(new CaseChangingStream(new ANTLRInputStream(sql), true));
  lexer.removeErrorListeners();
  return lexer;
}

function parenDepth(tokens, length) {
  let depth = 0;
  for (const token of tokens.getTokens()) {
    if (token.startIndex >= length) break;
    if (token.type === PlSqlParser.LEFT_PAREN) depth += 1;
    else if (token.type === PlSqlParser.RIGHT_PAREN) depth -= 1;
  }
  return depth;
}

function firstWord(tokens) {
  tokens.fill();
  for (const token of tokens.getTokens()) {
    if (token.channel === Token.DEFAULT_CHANNEL && token.type !== Token.EOF) return token.text ? String(token.text).toUpperCase() : tokenName(token.type);
  }
  return "";
}

const reply = (object) => process.stdout.write(JSON.stringify(object) + "\n");

reply({ ready: true, load_ms: Number(process.hrtime.bigint() - started) / 1e6 });

readline.createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    reply({ id: null, fatal: `unreadable request: ${err.message}` });
    return;
  }
  const begun = process.hrtime.bigint();
  let answer;
  try {
    answer = parse(String(request.sql));
  } catch (err) {
    answer = { ok: false, fatal: String((err && err.stack) || err) };
  }
  answer.id = request.id;
  answer.ms = Number(process.hrtime.bigint() - begun) / 1e6;
  reply(answer);
});
