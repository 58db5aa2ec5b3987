/**
 * plan-review: `terraform show -json <planfile>` → one or more comments for a pull request.
 * Pure (text in, text out): cli/commands/plan-review.ts does the reading and writing.
 */
import { packComments, type PackLimits } from './comment-parts.ts';
import { parsePlanJson, type PlanJson } from './plan-json.ts';
import { markdownBlocks, markdownRenderer } from './render-markdown.ts';
import { textBlocks, textRenderer } from './render-text.ts';
import { buildReviewModel } from './review-model.ts';

export const REVIEW_FORMATS = ['markdown', 'text'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** GitHub's limit on an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface ReviewOptions extends PackLimits {
  readonly format: ReviewFormat;
  readonly title?: string;
}

export const DEFAULT_REVIEW_OPTIONS: ReviewOptions = { format: 'markdown', maxChars: GITHUB_COMMENT_LIMIT, maxComments: 10 };

/** The review of a parsed plan, as comment bodies (one unless it had to be split). */
export function reviewPlan(plan: PlanJson, options: ReviewOptions = DEFAULT_REVIEW_OPTIONS): string[] {
  const model = buildReviewModel(plan);
  if (options.format === 'text') return packComments(textBlocks(model), textRenderer(options.title), options);
  return packComments(markdownBlocks(model), markdownRenderer(options.title), options);
}

/** The review of a plan JSON file's text; `file` names it in error messages. */
export function reviewPlanText(text: string, file: string, options: ReviewOptions = DEFAULT_REVIEW_OPTIONS): string[] {
  return reviewPlan(parsePlanJson(text, file), options);
}
