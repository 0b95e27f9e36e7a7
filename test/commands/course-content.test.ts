import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDay } from '../../src/course/catalog.js';
import { loadLesson, readSection } from '../../src/course/lesson.js';
import { loadQuiz, validateQuiz, type Quiz } from '../../src/course/quiz.js';

const day = loadDay('day4');
const sections = loadLesson(day);

describe('day4 lesson and quiz content', () => {
  it('lesson has the five sections in order', () => {
    expect(sections.map((section) => section.slug)).toEqual(['event-driven', 'rabbitmq', 'kafka', 'sagas', 'common-mistakes']);
  });

  // Each topic the course promises, as a word or phrase the section must contain.
  const topics: Record<string, string[]> = {
    'event-driven': ['command', 'event', 'envelope', 'Choreography', 'Orchestration'],
    rabbitmq: ['exchange', 'queue', 'binding', 'ack', 'prefetch', 'confirm', 'dead-letter'],
    kafka: ['topic', 'partition', 'key', 'consumer group', 'offset', 'at least once'],
    sagas: ['compensation', 'pivot', 'idempot', 'Timeouts', 'outbox'],
    'common-mistakes': ['RabbitMQ', 'Kafka', 'Sagas'],
  };
  for (const [slug, words] of Object.entries(topics)) {
    it(`${slug} section covers its topics`, () => {
      const text = readSection(sections.find((section) => section.slug === slug)!).toLowerCase();
      for (const word of words) expect(text, word).toContain(word.toLowerCase());
    });
  }

  it('every fenced code block is closed', () => {
    for (const section of sections) expect((readSection(section).match(/^```/gm) ?? []).length % 2, section.id).toBe(0);
  });

  it('quiz is valid and covers every section', () => {
    const quiz = loadQuiz(day)!;
    expect(validateQuiz(quiz)).toEqual([]);
    for (const section of sections) expect(quiz.questions.filter((question) => question.section === section.id).length, section.id).toBeGreaterThanOrEqual(2);
    expect(quiz.questions.every((question) => sections.some((section) => section.id === question.section))).toBe(true);
  });

  it('validateQuiz names a bad answer index', () => {
    const quiz = JSON.parse(readFileSync(`${day.templateDir}/quiz.json`, 'utf8')) as Quiz;
    quiz.questions[0].answer = 9;
    expect(validateQuiz(quiz)).toEqual([`question 1 (${quiz.questions[0].id}): answer 9 is not the index of a choice`]);
  });
});
