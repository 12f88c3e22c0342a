// The fake Lambda context lives in plain JavaScript so that the processes invokeBundle
// starts can import it cheaply (see lambdaContext.mjs); this module keeps its old path.
export { createLambdaContext } from './lambdaContext.mjs';
