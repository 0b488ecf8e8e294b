-- Up Migration
-- The records' tables as SQLite has them after its fourth migration (src/storage/db.ts), so that both give the same
-- report; `at` is milliseconds since 1970 (BIGINT), what is a boolean in SQLite stays 0/1.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE turns (
  at BIGINT NOT NULL, channel TEXT NOT NULL, lang TEXT NOT NULL, intent TEXT, confidence DOUBLE PRECISION NOT NULL,
  fallback INTEGER NOT NULL, source TEXT, conversation TEXT NOT NULL, opening INTEGER NOT NULL DEFAULT 0);
CREATE INDEX turns_at ON turns (at);
CREATE TABLE unanswered (
  at BIGINT NOT NULL, channel TEXT NOT NULL, lang TEXT NOT NULL, intent TEXT, confidence DOUBLE PRECISION NOT NULL,
  text TEXT NOT NULL, normalized TEXT NOT NULL, source TEXT, conversation TEXT NOT NULL);
CREATE INDEX unanswered_at ON unanswered (at);
CREATE TABLE ratings (
  at BIGINT NOT NULL, channel TEXT NOT NULL, lang TEXT NOT NULL, intent TEXT NOT NULL, rating INTEGER NOT NULL,
  source TEXT, conversation TEXT NOT NULL);
CREATE INDEX ratings_at ON ratings (at);
CREATE TABLE quiz (
  at BIGINT NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL, question TEXT, correct INTEGER, score INTEGER,
  source TEXT, conversation TEXT NOT NULL);
CREATE INDEX quiz_at ON quiz (at);

-- Down Migration
DROP TABLE quiz, ratings, unanswered, turns, meta;
