// toHaveReceivedCommandWith and the other aws-sdk-client-mock matchers, with their types.
import 'aws-sdk-client-mock-vitest/extend';
